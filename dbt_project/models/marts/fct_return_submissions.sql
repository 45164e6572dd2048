{{ incremental_by_year_config() }}
-- Every return file received for a contract and period, in the order received. The latest is
-- the one the marts use; earlier ones are kept here as history, marked superseded.
with submissions as (
    select * from {{ ref('int_returns__submissions') }}
    where {{ incremental_years('financial_year') }}
),

calendar as (
    select * from {{ ref('stg_returns__reporting_periods') }}
)

select
    submissions.financial_year,
    submissions.contract_id,
    submissions.period,
    submissions.submission_number,
    submissions.submissions,
    submissions.path,
    submissions.sha256,
    submissions.is_on_disk,
    submissions.content_version > 1 as file_changed_after_loading,
    submissions.received_at,
    submissions.received_according_to,
    submissions.log_note,
    submissions.is_latest,
    not submissions.is_latest as is_superseded,
    case
        when not submissions.is_latest
            then lead(submissions.path) over (
                    partition by submissions.contract_id, submissions.period order by submissions.submission_number
                )
    end as superseded_by,
    submissions.rows_loaded,
    submissions.file_rows_read,
    submissions.file_rows_quarantined,
    submissions.spend_gbp as spend_gbp_in_this_file,
    submissions.received_at::date > calendar.due_date as received_after_due_date
from submissions
inner join calendar on calendar.period = submissions.period

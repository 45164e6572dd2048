{{ incremental_by_year_config() }}
-- Every submission of a return for a contract and period, in the order received: each version of
-- each file (a changed file's earlier content, a replacement that could not be read, a removal),
-- where its received date came from, and whether its figures are in force. The latest in force is
-- the return the marts use; a file whose figures are all reported again by a later one is
-- superseded; all are kept.
with submissions as (
    select * from {{ ref('int_returns__submissions') }}
    where {{ incremental_years('financial_year') }}
),

measures as (
    select * from {{ ref('int_returns__latest_measures') }}
    where {{ incremental_years('financial_year') }}
),

used as (
    select
        contract_id,
        period,
        source_file as path,
        source_version,
        count(*) as measures_used
    from measures
    group by all
)

select
    submissions.financial_year,
    submissions.contract_id,
    submissions.period,
    submissions.submission_number,
    submissions.submissions,
    submissions.path,
    submissions.version as file_version,
    submissions.sha256,
    submissions.is_on_disk,
    submissions.version > 1 as file_changed_after_loading,
    submissions.is_readable,
    submissions.not_counted_because,
    submissions.received_at,
    submissions.received_according_to,
    submissions.implausible_date_note,
    submissions.path_contract_note,
    submissions.log_note,
    submissions.is_latest,
    coalesce(used.measures_used, 0) as measures_used,
    case
        when not submissions.is_readable then 'not counted'
        when used.measures_used is null then 'superseded'
        when used.measures_used < len(submissions.measures) then 'partly in force'
        else 'in force'
    end as submission_status,
    used.measures_used is null as is_superseded,
    case
        when used.measures_used is null
            then lead(submissions.path) over (
                    partition by submissions.contract_id, submissions.period order by submissions.submission_number
                )
    end as superseded_by,
    submissions.rows_loaded,
    submissions.file_rows_read,
    submissions.file_rows_quarantined,
    submissions.spend_gbp as spend_gbp_in_this_file,
    case when not submissions.is_received_date_unknown then submissions.received_at::date > submissions.due_date end
        as received_after_due_date,
    submissions.is_received_date_unknown
from submissions
left join used
    on used.contract_id = submissions.contract_id
    and used.period = submissions.period
    and used.path = submissions.path
    and submissions.is_in_force

{{ incremental_by_year_config() }}
-- Every return file received for a contract and period, in the order received. The latest is
-- the one the marts use; earlier ones are kept here as history, marked superseded.
with submissions as (
    select * from {{ ref('int_returns__submissions') }}
    where {{ incremental_years('financial_year') }}
)

select
    financial_year,
    contract_id,
    period,
    submission_number,
    submissions,
    path,
    sha256,
    is_on_disk,
    content_version > 1 as file_changed_after_loading,
    received_at,
    received_according_to,
    log_note,
    is_latest,
    not is_latest as is_superseded,
    case when not is_latest then lead(path) over (partition by contract_id, period order by submission_number) end as superseded_by,
    rows_loaded,
    file_rows_read,
    file_rows_quarantined,
    spend_gbp as spend_gbp_in_this_file,
    received_at::date > {{ period_due_date('period') }} as received_after_due_date
from submissions

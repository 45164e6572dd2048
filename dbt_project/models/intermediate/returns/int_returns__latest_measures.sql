{{ incremental_by_year_config() }}
-- The measures a contract's return for a period reports: each measure from the latest submission
-- in force that reports it (int_returns__submissions). A return split over two files (spend in one,
-- indicators in the other) is merged; a resubmission supersedes the earlier figures measure by
-- measure. source_file says which file each figure came from.
with return_rows as (
    select
        source_file as path,
        null::integer as version,
        contract_id,
        period,
        measure,
        value,
        comment,
        source_row,
        true as is_on_disk
    from {{ ref('stg_returns__provider_returns') }}
    where {{ incremental_years(financial_year_of('period')) }}
),

kept_rows as (
    select
        path,
        version,
        contract_id,
        period,
        measure,
        value,
        comment,
        source_row,
        false as is_on_disk
    from {{ ref('stg_returns__superseded_rows') }}
    where {{ incremental_years(financial_year_of('period')) }}
),

submissions as (
    select * from {{ ref('int_returns__submissions') }}
    where is_in_force and {{ incremental_years('financial_year') }}
),

all_rows as (
    select * from return_rows
    union all
    select * from kept_rows
),

in_force as (
    select
        all_rows.*,
        submissions.submission_number,
        submissions.version as submission_version
    from all_rows
    inner join submissions
        on submissions.contract_id = all_rows.contract_id
        and submissions.period = all_rows.period
        and submissions.path = all_rows.path
        and submissions.is_on_disk = all_rows.is_on_disk
        and (all_rows.is_on_disk or submissions.version = all_rows.version)
)

select
    {{ financial_year_of('period') }} as financial_year,
    contract_id,
    period,
    measure,
    value,
    comment,
    path as source_file,
    submission_version as source_version,
    source_row
from in_force
qualify row_number() over (partition by contract_id, period, measure order by submission_number desc) = 1

{{ incremental_by_year_config() }}
-- The measures of the latest submission for each contract and period: what the marts report.
with return_rows as (
    select
        source_file as path,
        contract_id,
        period,
        measure,
        value,
        comment,
        source_row,
        true as is_on_disk,
        null as sha256
    from {{ ref('stg_returns__provider_returns') }}
    where {{ incremental_years("left(period, 7)") }}
),

superseded_rows as (
    select
        path,
        contract_id,
        period,
        measure,
        value,
        comment,
        source_row,
        false as is_on_disk,
        sha256
    from {{ ref('stg_returns__superseded_rows') }}
    where {{ incremental_years("left(period, 7)") }}
),

submissions as (
    select * from {{ ref('int_returns__submissions') }}
    where {{ incremental_years('financial_year') }}
),

all_rows as (
    select * from return_rows
    union all
    select * from superseded_rows
)

select
    left(all_rows.period, 7) as financial_year,
    all_rows.contract_id,
    all_rows.period,
    all_rows.measure,
    all_rows.value,
    all_rows.comment,
    all_rows.path as source_file,
    all_rows.source_row
from all_rows
inner join submissions
    on submissions.contract_id = all_rows.contract_id
    and submissions.period = all_rows.period
    and submissions.path = all_rows.path
    and submissions.is_on_disk = all_rows.is_on_disk
    and (all_rows.is_on_disk or submissions.sha256 = all_rows.sha256)
where submissions.is_latest

-- The measures of the latest submission for each contract and period: what the marts report.
with return_rows as (
    select * from {{ ref('stg_returns__provider_returns') }}
),

submissions as (
    select * from {{ ref('int_returns__submissions') }}
)

select
    return_rows.contract_id,
    return_rows.period,
    return_rows.measure,
    return_rows.value,
    return_rows.comment,
    return_rows.source_file,
    return_rows.source_row
from return_rows
inner join submissions
    on submissions.contract_id = return_rows.contract_id
    and submissions.period = return_rows.period
    and submissions.path = return_rows.source_file
where submissions.is_latest

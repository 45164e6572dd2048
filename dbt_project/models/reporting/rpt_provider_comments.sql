-- Per commissioner, contract and period: what the provider wrote beside its figures. Rows with
-- anything that looks like personal data never got this far (they are quarantined at ingest).
with measures as (
    select * from {{ ref('int_returns__latest_measures') }}
),

contracts as (
    select * from {{ ref('dim_contract') }}
)

select
    contracts.commissioner_code,
    measures.contract_id,
    measures.period,
    measures.financial_year,
    measures.measure,
    trim(measures.comment) as comment
from measures
inner join contracts on contracts.contract_id = measures.contract_id
where nullif(trim(measures.comment), '') is not null

-- Per contract: the columns an analyst slices the workbook by (theme, strategic priority, funding
-- mechanism, funding stream and national outcome area), as words, beside every per-contract sheet.
-- A contract with more than one primary priority lists them all, and their national areas.
with contracts as (
    select * from {{ ref('dim_contract') }}
),

priorities as (
    select * from {{ ref('dim_strategic_priority') }}
),

streams as (
    select * from {{ ref('stg_reference__funding_streams') }}
),

contract_priorities as (
    select
        contracts.contract_id,
        unnest(contracts.primary_priorities) as strategic_priority
    from contracts
),

areas as (
    select
        contract_priorities.contract_id,
        string_agg(distinct priorities.national_outcome_area_name, ', ' order by priorities.national_outcome_area_name)
            as national_outcome_area
    from contract_priorities
    inner join contracts on contracts.contract_id = contract_priorities.contract_id
    inner join priorities
        on priorities.plan_code = contracts.plan_code
        and priorities.strategic_priority = contract_priorities.strategic_priority
    group by contract_priorities.contract_id
)

select
    contracts.commissioner_code,
    contracts.contract_id,
    contracts.strategic_theme,
    array_to_string(contracts.primary_priorities, ', ') as strategic_priority,
    contracts.funding_mechanism,
    coalesce(streams.funding_stream_name, contracts.funding_stream) as funding_stream,
    areas.national_outcome_area
from contracts
left join streams on streams.funding_stream = contracts.funding_stream
left join areas on areas.contract_id = contracts.contract_id

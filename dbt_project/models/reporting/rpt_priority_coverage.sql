-- Per commissioner, year, funding stream and strategic priority: money commissioned and outcomes reported, in
-- the plan's order.
with coverage as (
    select * from {{ ref('fct_priority_coverage') }}
)

select
    commissioner_code,
    financial_year,
    funding_stream,
    strategic_priority,
    priority_number,
    short_name as priority_name,
    strategic_theme,
    allocated_gbp,
    contracts_funded,
    outcome_indicators_reported,
    coverage_status
from coverage

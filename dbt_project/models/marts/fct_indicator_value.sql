{{ incremental_by_year_config() }}
-- The home of indicator values: one row per contract, reporting period and indicator its return
-- reports (the latest submission in force for each, int_returns__latest_measures), with what the
-- contract's plan says the indicator is. Every model that reads an indicator's value reads this
-- long form (or the measures it is built from); fct_contract_quarter is the wide view of the same
-- figures, one column per indicator, for spreadsheets.
with measures as (
    select * from {{ ref('int_returns__latest_measures') }}
    where measure != 'spend_gbp' and {{ incremental_years('financial_year') }}
),

expected as (
    select * from {{ ref('int_returns__expected') }}
),

contracts as (
    select * from {{ ref('stg_framework__contracts') }}
),

indicators as (
    select * from {{ ref('dim_indicator') }}
),

catalogue as (
    select * from {{ ref('stg_reference__indicators') }}
)

select
    measures.financial_year,
    contracts.commissioner_code,
    measures.contract_id,
    measures.period,
    expected.plan_code,
    measures.measure as indicator_code,
    coalesce(indicators.indicator_name, catalogue.indicator_name) as indicator_name,
    coalesce(indicators.kind, catalogue.kind) as indicator_kind,
    coalesce(indicators.unit, catalogue.unit) as unit,
    coalesce(indicators.better, catalogue.better) as better,
    indicators.indicator_code is not null as is_plan_indicator,
    measures.value,
    measures.source_file,
    measures.source_row
from measures
inner join contracts on contracts.contract_id = measures.contract_id
left join expected
    on expected.contract_id = measures.contract_id
    and expected.period = measures.period
left join indicators
    on indicators.plan_code = expected.plan_code
    and indicators.indicator_code = measures.measure
left join catalogue on catalogue.indicator_code = measures.measure

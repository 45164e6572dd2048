{{ incremental_by_year_config() }}
-- The home of indicator values: one row per contract, reporting period and indicator its return
-- reports (the latest submission in force for each, int_returns__latest_measures), with what the
-- contract's plan says the indicator is. Every model that reads an indicator's value reads this
-- long form (or the measures it is built from); fct_contract_quarter is the wide view of the same
-- figures, one column per indicator, for spreadsheets. A figure above the indicator that bounds it
-- (supported above referred, in the same return) loads and is flagged (exceeds_bound, bound_note):
-- people supported in a year include referrals of earlier years, so it is a finding for review.
with measures as (
    select * from {{ ref('int_returns__latest_measures') }}
    where measure != 'spend_gbp' and {{ incremental_years('financial_year') }}
),

expected as (
    select * from {{ ref('int_returns__expected') }}
),

contracts as (
    -- a contract, or a service group (whose return is made for its members together)
    select
        contract_id,
        commissioner_code,
        contract_id as plan_contract_id
    from {{ ref('stg_framework__contracts') }}
    union all
    select
        service_group as contract_id,
        any_value(commissioner_code) as commissioner_code,
        min(contract_id) as plan_contract_id
    from {{ ref('int_service_groups') }}
    group by service_group
),

indicators as (
    select * from {{ ref('dim_indicator') }}
),

catalogue as (
    select * from {{ ref('stg_reference__indicators') }}
),

bounds as (
    select
        contract_id,
        period,
        measure,
        value
    from {{ ref('int_returns__latest_measures') }}
    where measure != 'spend_gbp' and {{ incremental_years('financial_year') }}
)

select
    measures.financial_year,
    contracts.commissioner_code,
    measures.contract_id,
    measures.period,
    expected.funding_stream,
    expected.plan_code,
    measures.measure as indicator_code,
    coalesce(indicators.indicator_name, catalogue.indicator_name) as indicator_name,
    coalesce(indicators.kind, catalogue.kind) as indicator_kind,
    coalesce(indicators.unit, catalogue.unit) as unit,
    coalesce(indicators.better, catalogue.better) as better,
    indicators.indicator_code is not null as is_plan_indicator,
    contracts.plan_contract_id != contracts.contract_id as is_service_group,
    measures.value,
    catalogue.bounded_by,
    bounds.value as bound_value,
    coalesce(measures.value > bounds.value, false) as exceeds_bound,
    case when measures.value > bounds.value
            then measures.measure || ' (' || regexp_replace(cast(measures.value as varchar), '\.0$', '') || ') is more than '
                || catalogue.bounded_by || ' (' || regexp_replace(cast(bounds.value as varchar), '\.0$', '') || ') in '
                || measures.contract_id || ' ' || measures.period || ': loaded; check it with the provider'
    end as bound_note,
    measures.source_file,
    measures.source_row
from measures
inner join contracts on contracts.contract_id = measures.contract_id
left join expected
    on expected.contract_id = contracts.plan_contract_id
    and expected.period = measures.period
left join indicators
    on indicators.plan_code = expected.plan_code
    and indicators.indicator_code = measures.measure
left join catalogue on catalogue.indicator_code = measures.measure
left join bounds
    on bounds.contract_id = measures.contract_id
    and bounds.period = measures.period
    and bounds.measure = catalogue.bounded_by

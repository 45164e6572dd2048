{{ incremental_by_year_config() }}
-- What each contract contributes to cost per outcome, per quarter: for every outcome count it
-- reported in its latest return (indicators of kind 'outcome', unit 'count', more is better),
-- the value, and its spend in the quarter attributed to the indicator's strategic priority
-- with the same shares as its allocation (the current framework version of the year, under its
-- plan). A contract-quarter with no spend figure contributes nothing: there is no cost to divide.
with measures as (
    select * from {{ ref('int_returns__latest_measures') }}
    where {{ incremental_years('financial_year') }}
),

indicators as (
    select * from {{ ref('int_plan_indicators') }}
),

expected as (
    select * from {{ ref('int_returns__expected') }}
),

shares as (
    select * from {{ ref('int_priority_shares') }}
),

contracts as (
    select * from {{ ref('stg_framework__contracts') }}
),

calendar as (
    select * from {{ ref('stg_returns__reporting_periods') }}
),

lines as (
    select * from {{ ref('int_framework_lines') }}
),

spend as (
    select
        contract_id,
        period,
        value as spend_gbp
    from measures
    where measure = 'spend_gbp'
),

outcomes as (
    -- the outcome counts the contract's plan measures its priorities by
    select
        measures.contract_id,
        measures.period,
        measures.measure as indicator_code,
        indicators.strategic_priority,
        measures.value as outcome_value
    from measures
    inner join expected
        on expected.contract_id = measures.contract_id
        and expected.period = measures.period
    inner join indicators
        on indicators.plan_code = expected.plan_code
        and indicators.indicator_code = measures.measure
    where indicators.kind = 'outcome' and indicators.unit = 'count' and indicators.better = 'higher'
)

select
    contracts.commissioner_code,
    expected.plan_code,
    outcomes.contract_id,
    outcomes.period,
    calendar.financial_year,
    calendar.quarter_number,
    outcomes.indicator_code,
    outcomes.strategic_priority,
    outcomes.outcome_value,
    spend.spend_gbp,
    coalesce(shares.share, 0) as share,
    -- in pence, so that totals by priority, theme or mechanism are sums of the same pennies
    cast(round(spend.spend_gbp * coalesce(shares.share, 0), 2) as decimal(14, 2)) as attributed_spend_gbp,
    lines.theme_code,
    lines.mechanism_code
from outcomes
inner join calendar on calendar.period = outcomes.period
inner join contracts on contracts.contract_id = outcomes.contract_id
inner join spend
    on spend.contract_id = outcomes.contract_id
    and spend.period = outcomes.period
left join expected
    on expected.contract_id = outcomes.contract_id
    and expected.period = outcomes.period
left join shares
    on shares.framework_version = expected.framework_version
    and shares.contract_id = outcomes.contract_id
    and shares.strategic_priority = outcomes.strategic_priority
left join lines
    on lines.framework_version = expected.framework_version
    and lines.contract_id = outcomes.contract_id

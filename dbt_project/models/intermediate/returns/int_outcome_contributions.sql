{{ incremental_by_year_config() }}
-- What each contract contributes to cost per outcome, per quarter and priority. THE RULE (its one
-- home; README "Cost per outcome" quotes it): a contract gives a priority the same share of its
-- counts as of its spend. For every count it reported in its latest return (activities, outputs
-- and outcomes alike, each keeping its kind; counts where more is better), and every priority the
-- indicator measures under the contract's plan, the contribution is its spend in the quarter times
-- its allocation share of that priority (the current framework version of the year), in pence, and
-- its count times the same share (attributed_value). A roll-up (priority, theme, mechanism,
-- national outcome area) divides the sum of attributed spend by the sum of attributed values, so it
-- is the weighted mean of its contracts' own unit costs and lies between the lowest and highest of
-- them; a contract wholly in one priority keeps its own unit cost there. A contract with no share
-- in a priority contributes nothing to it; a contract-quarter with no spend figure contributes
-- nothing: there is no cost to divide.
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

priorities as (
    select * from {{ ref('int_plan_elements') }}
    where element_kind = 'priority'
),

spend as (
    select
        contract_id,
        period,
        value as spend_gbp
    from measures
    where measure = 'spend_gbp'
),

group_counts as (
    -- a service group's counts (a return made for contracts that report one count together), shared
    -- among its members in proportion to their spend in the quarter, so that each member's share is
    -- attributed through its own priority shares
    select
        members.contract_id,
        measures.period,
        measures.measure,
        measures.value * member_spend.spend_gbp
        / nullif(sum(member_spend.spend_gbp) over (partition by measures.contract_id, measures.period, measures.measure), 0)
            as value
    from measures
    inner join {{ ref('int_service_groups') }} as members on members.service_group = measures.contract_id
    inner join spend as member_spend
        on member_spend.contract_id = members.contract_id
        and member_spend.period = measures.period
    where measures.measure != 'spend_gbp'
),

counted as (
    select
        contract_id,
        period,
        measure,
        value
    from measures
    where measure != 'spend_gbp'
    union all
    select
        contract_id,
        period,
        measure,
        value
    from group_counts
),

outcomes as materialized (
    -- the outcome counts the contract's plan measures its priorities by
    select
        counted.contract_id,
        counted.period,
        counted.measure as indicator_code,
        indicators.strategic_priority,
        indicators.kind as indicator_kind,
        counted.value as outcome_value
    from counted
    inner join expected
        on expected.contract_id = counted.contract_id
        and expected.period = counted.period
    inner join indicators
        on indicators.plan_code = expected.plan_code
        and indicators.indicator_code = counted.measure
    where indicators.unit = 'count' and indicators.better = 'higher'
)

select
    contracts.commissioner_code,
    expected.funding_stream,
    expected.plan_code,
    outcomes.contract_id,
    outcomes.period,
    calendar.financial_year,
    calendar.quarter_number,
    calendar.period_kind,
    outcomes.indicator_code,
    outcomes.indicator_kind,
    outcomes.strategic_priority,
    outcomes.outcome_value,
    spend.spend_gbp,
    shares.share,
    -- in pence, so that totals by priority, theme or mechanism are sums of the same pennies
    cast(round(spend.spend_gbp * shares.share, 2) as decimal(14, 2)) as attributed_spend_gbp,
    -- the same share of the count, to 4 decimals, so that totals are sums of the same figures
    cast(round(outcomes.outcome_value * shares.share, 4) as decimal(18, 4)) as attributed_value,
    lines.theme_code,
    lines.mechanism_code,
    priorities.national_code as national_outcome_area
from outcomes
inner join calendar on calendar.period = outcomes.period
inner join contracts on contracts.contract_id = outcomes.contract_id
inner join spend
    on spend.contract_id = outcomes.contract_id
    and spend.period = outcomes.period
left join expected
    on expected.contract_id = outcomes.contract_id
    and expected.period = outcomes.period
inner join shares
    on shares.framework_version = expected.framework_version
    and shares.contract_id = outcomes.contract_id
    and shares.strategic_priority = outcomes.strategic_priority
    and shares.share > 0
left join lines
    on lines.framework_version = expected.framework_version
    and lines.contract_id = outcomes.contract_id
left join priorities
    on priorities.plan_code = expected.plan_code
    and priorities.element_code = outcomes.strategic_priority

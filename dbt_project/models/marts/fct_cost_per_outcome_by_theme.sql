{{ incremental_by_year_config() }}
-- Cost per outcome as fct_cost_per_outcome, grouped by the strategic theme of the contracts
-- that reported the outcome (spend still attributed to the outcome's priority).
-- The rule (int_outcome_contributions): the sum of attributed spend over the sum of attributed
-- counts, per indicator, so the weighted mean of the contracts' own unit costs; never a division by 0.
with contributions as (
    select * from {{ ref('int_outcome_contributions__to_date') }}
    where {{ incremental_years('financial_year') }}
),

indicators as (
    select * from {{ ref('dim_indicator') }}
),

grouped as (
    select
        commissioner_code,
        funding_stream,
        plan_code,
        reporting_period as period,
        period_basis,
        theme_code,
        indicator_code,
        any_value(indicator_kind) as indicator_kind,
        sum(attributed_spend_gbp) as attributed_spend_gbp,
        sum(attributed_value) as outcome_value,
        count(distinct contract_id) as contracts,
        count(*) as contract_quarters
    from contributions
    group by all
)

select
    {{ financial_year_of('grouped.period') }} as financial_year,
    grouped.commissioner_code,
    grouped.funding_stream,
    grouped.plan_code,
    grouped.period,
    grouped.period_basis,
    grouped.theme_code,
    grouped.indicator_code,
    indicators.indicator_name,
    grouped.indicator_kind,
    indicators.strategic_priority as indicator_priority,
    cast(round(grouped.attributed_spend_gbp, 2) as decimal(14, 2)) as attributed_spend_gbp,
    grouped.outcome_value,
    -- From the rounded spend shown beside it, so every published figure recomputes from the others.
    case
        when grouped.outcome_value > 0
            then {{ pounds_per_unit('grouped.attributed_spend_gbp', 'grouped.outcome_value') }}
    end as cost_per_outcome_gbp,
    grouped.contracts,
    grouped.contract_quarters,
    case when grouped.outcome_value = 0 then 'nothing counted: the total attributed count is 0' end as not_computed_because
from grouped
left join indicators
    on indicators.plan_code = grouped.plan_code
    and indicators.indicator_code = grouped.indicator_code

-- Per commissioner, period (quarter or year to date), priority and indicator counted: cost per
-- unit (attributed spend / attributed counts: the weighted mean of the services' own costs) with
-- the priority's name and order, and whether the indicator is the priority's headline.
with costs as (
    select * from {{ ref('fct_cost_per_outcome') }}
),

priorities as (
    select * from {{ ref('dim_strategic_priority') }}
),

indicators as (
    select * from {{ ref('dim_indicator') }}
)

select
    costs.commissioner_code,
    costs.funding_stream,
    costs.financial_year,
    costs.period,
    costs.period_basis,
    costs.strategic_priority,
    priorities.priority_number,
    coalesce(priorities.short_name, priorities.priority_name) as priority_name,
    costs.indicator_code,
    costs.indicator_name,
    coalesce(indicators.is_headline, false) as is_headline,
    costs.attributed_spend_gbp,
    costs.outcome_value,
    costs.cost_per_outcome_gbp,
    costs.contracts,
    costs.not_computed_because,
    costs.indicator_kind
from costs
inner join priorities
    on priorities.plan_code = costs.plan_code
    and priorities.strategic_priority = costs.strategic_priority
left join indicators
    on indicators.plan_code = costs.plan_code
    and indicators.strategic_priority = costs.strategic_priority
    and indicators.indicator_code = costs.indicator_code

-- Per commissioner, financial year, funding stream and strategic priority of the plan in force that
-- year: is any money of the stream commissioned against it, and has any outcome been reported for it?
with priorities as (
    select * from {{ ref('dim_strategic_priority') }}
),

years as (
    -- each commissioner's years with a current framework version, and the plan in force
    select
        commissioner_code,
        financial_year,
        funding_stream,
        plan_code
    from {{ ref('dim_framework_version') }}
    where is_latest
),

allocation as (
    select by_priority.*
    from {{ ref('fct_allocation_by_priority') }} as by_priority
    inner join {{ ref('dim_framework_version') }} as versions
        on versions.commissioner_code = by_priority.commissioner_code
        and versions.framework_version = by_priority.framework_version
    where versions.is_latest
),

money as (
    select
        commissioner_code,
        financial_year,
        funding_stream,
        strategic_priority,
        sum(attributed_gbp) as allocated_gbp,
        count(distinct contract_id) as contracts_funded
    from allocation
    group by all
),

indicators as (
    select
        plan_code,
        strategic_priority,
        count(*) filter (where kind = 'outcome') as outcome_indicators
    from {{ ref('dim_indicator') }}
    group by all
),

outcomes as (
    -- any outcome indicator of the priority reported by any contract in the year
    select
        expected.commissioner_code,
        expected.financial_year,
        expected.funding_stream,
        indicators.strategic_priority,
        count(distinct measures.measure) as outcome_indicators_reported,
        count(*) as outcome_figures_reported
    from {{ ref('int_returns__latest_measures') }} as measures
    inner join {{ ref('dim_indicator') }} as indicators on indicators.indicator_code = measures.measure
    inner join {{ ref('int_returns__expected') }} as expected
        on expected.contract_id = measures.contract_id
        and expected.period = measures.period
        and expected.plan_code = indicators.plan_code
    where indicators.kind = 'outcome'
    group by all
)

select
    years.commissioner_code,
    years.financial_year,
    years.funding_stream,
    years.plan_code,
    priorities.strategic_priority,
    priorities.priority_number,
    priorities.short_name,
    priorities.strategic_theme,
    priorities.national_outcome_area,
    coalesce(money.allocated_gbp, 0) as allocated_gbp,
    coalesce(money.contracts_funded, 0) as contracts_funded,
    coalesce(indicators.outcome_indicators, 0) as outcome_indicators,
    coalesce(outcomes.outcome_indicators_reported, 0) as outcome_indicators_reported,
    coalesce(outcomes.outcome_figures_reported, 0) as outcome_figures_reported,
    case
        when coalesce(money.allocated_gbp, 0) = 0 then 'no commissioned money'
        when coalesce(outcomes.outcome_figures_reported, 0) = 0 then 'money but no outcome reported'
        else 'money and outcomes'
    end as coverage_status
from years
inner join priorities on priorities.plan_code = years.plan_code
left join money
    on money.commissioner_code = years.commissioner_code
    and money.financial_year = years.financial_year
    and money.funding_stream = years.funding_stream
    and money.strategic_priority = priorities.strategic_priority
left join indicators
    on indicators.plan_code = priorities.plan_code
    and indicators.strategic_priority = priorities.strategic_priority
left join outcomes
    on outcomes.commissioner_code = years.commissioner_code
    and outcomes.financial_year = years.financial_year
    and outcomes.funding_stream = years.funding_stream
    and outcomes.strategic_priority = priorities.strategic_priority

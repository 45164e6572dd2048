{# Cost per outcome over contributions grouped by `group_column` (the priority, the contracts'
   theme, their funding mechanism or the priority's national outcome area): the sum of attributed
   spend over the sum of attributed counts, per indicator (the rule: int_outcome_contributions), so
   the weighted mean of the contracts' own unit costs; never a division by zero. #}
{% macro cost_per_outcome(group_column, group_name) -%}
    {{ incremental_by_year_config() }}
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
        {{ group_column }} as {{ group_name }},
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
    left(grouped.period, 7) as financial_year,
    grouped.commissioner_code,
    grouped.funding_stream,
    grouped.plan_code,
    grouped.period,
    grouped.period_basis,
    grouped.{{ group_name }},
    grouped.indicator_code,
    indicators.indicator_name,
    grouped.indicator_kind,
    indicators.strategic_priority as indicator_priority,
    cast(round(grouped.attributed_spend_gbp, 2) as decimal(14, 2)) as attributed_spend_gbp,
    grouped.outcome_value,
    -- From the rounded spend shown beside it, so every published figure recomputes from the others.
    case when grouped.outcome_value > 0
        then {{ pounds_per_unit('grouped.attributed_spend_gbp', 'grouped.outcome_value') }}
    end as cost_per_outcome_gbp,
    grouped.contracts,
    grouped.contract_quarters,
    case when grouped.outcome_value = 0 then 'nothing counted: the total attributed count is 0' end as not_computed_because
from grouped
left join indicators
    on indicators.plan_code = grouped.plan_code
    and indicators.indicator_code = grouped.indicator_code
{%- endmacro %}

{# Pounds per unit to the penny, rounded half up exactly (integer pennies over a count to 4
   decimals: DuckDB divides decimals as doubles, which can turn £41,398.45 / 2 into £20,699.22).
   The caller makes sure units > 0. #}
{% macro pounds_per_unit(spend_gbp, units) -%}
    cast(
        cast(
            (cast(round({{ spend_gbp }}, 2) * 100 as hugeint) * 20000 + cast(round({{ units }}, 4) * 10000 as hugeint))
            // (2 * cast(round({{ units }}, 4) * 10000 as hugeint))
            as decimal(18, 0)
        ) * 0.01 as decimal(14, 2)
    )
{%- endmacro %}

{# The period_basis of a figure for a period itself, by the period's kind (opcc/core/periods.py):
   'quarter', 'half_year' or 'year'. Quarters and half-years also add up to a 'year_to_date'. #}
{% macro period_basis_of(period_kind) -%}
    case {{ period_kind }} when 'quarter' then 'quarter' when 'half-year' then 'half_year' else 'year' end
{%- endmacro %}

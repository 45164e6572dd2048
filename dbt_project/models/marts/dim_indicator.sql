-- The indicators each plan measures its priorities by: one row per plan and indicator, with the
-- priority's theme and national outcome area.
select
    indicators.indicator_code,
    indicators.indicator_name,
    indicators.plan_code,
    indicators.commissioner_code,
    indicators.strategic_priority,
    priorities.short_name as priority_short_name,
    priorities.theme_code,
    priorities.national_outcome_area,
    indicators.unit,
    indicators.kind,
    indicators.better,
    indicators.bounded_by,
    indicators.is_headline,
    indicators.kind = 'outcome' and indicators.unit = 'count' and indicators.better = 'higher' as has_cost_per_outcome,
    indicators.definition
from {{ ref('int_plan_indicators') }} as indicators
left join {{ ref('dim_strategic_priority') }} as priorities
    on priorities.plan_code = indicators.plan_code
    and priorities.strategic_priority = indicators.strategic_priority

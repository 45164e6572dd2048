select
    indicators.indicator_code,
    indicators.indicator_name,
    indicators.strategic_priority,
    priorities.short_name as priority_short_name,
    priorities.theme_code,
    indicators.unit,
    indicators.kind,
    indicators.better,
    indicators.bounded_by,
    indicators.is_headline,
    indicators.kind = 'outcome' and indicators.unit = 'count' and indicators.better = 'higher' as has_cost_per_outcome,
    indicators.definition
from {{ ref('stg_reference__indicators') }} as indicators
left join {{ ref('dim_strategic_priority') }} as priorities using (strategic_priority)

with priorities as (
    select * from {{ ref('stg_reference__strategic_priorities') }}
),

themes as (
    select * from {{ ref('stg_reference__strategic_themes') }}
)

select
    priorities.strategic_priority,
    priorities.priority_number,
    priorities.short_name,
    priorities.priority_name,
    priorities.theme_code,
    themes.theme_name as strategic_theme,
    priorities.is_plan_priority
from priorities
left join themes on themes.theme_code = priorities.theme_code

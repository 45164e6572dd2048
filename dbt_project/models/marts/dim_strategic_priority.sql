-- Each plan's strategic priorities with their theme (if the plan has themes) and the national
-- outcome area each maps to.
with priorities as (
    select * from {{ ref('int_plan_elements') }}
    where element_kind = 'priority'
),

themes as (
    select * from {{ ref('int_plan_elements') }}
    where element_kind = 'theme'
),

areas as (
    select * from {{ ref('stg_reference__national_outcome_areas') }}
)

select
    priorities.plan_code,
    priorities.commissioner_code,
    priorities.element_code as strategic_priority,
    priorities.position as priority_number,
    coalesce(priorities.short_name, priorities.element_name) as short_name,
    priorities.element_name as priority_name,
    priorities.parent_code as theme_code,
    themes.element_name as strategic_theme,
    priorities.in_plan as is_plan_priority,
    priorities.national_code as national_outcome_area,
    areas.outcome_area_name as national_outcome_area_name
from priorities
left join themes
    on themes.plan_code = priorities.plan_code
    and themes.element_code = priorities.parent_code
left join areas on areas.outcome_area = priorities.national_code

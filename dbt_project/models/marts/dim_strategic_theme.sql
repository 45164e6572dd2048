-- Each plan's strategic themes (a plan may have none).
select
    plan_code,
    commissioner_code,
    element_code as theme_code,
    position as theme_number,
    element_name as strategic_theme,
    in_plan as is_plan_theme
from {{ ref('int_plan_elements') }}
where element_kind = 'theme'

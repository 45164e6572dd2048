select
    theme_code,
    theme_number,
    theme_name as strategic_theme,
    is_plan_theme
from {{ ref('stg_reference__strategic_themes') }}

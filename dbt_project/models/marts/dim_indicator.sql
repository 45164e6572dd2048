-- The indicators each plan measures its priorities by: one row per plan and indicator, with the
-- priority's theme and national outcome area. An indicator may measure several priorities of one
-- plan (a plan CSV row whose parent_code names two, as 'A/B'): strategic_priorities lists them all, and
-- strategic_priority names the first (int_plan_indicators has one row per priority measured).
with measured as (
    select
        indicators.*,
        priorities.short_name as priority_short_name,
        priorities.theme_code,
        priorities.national_outcome_area,
        priorities.priority_number
    from {{ ref('int_plan_indicators') }} as indicators
    left join {{ ref('dim_strategic_priority') }} as priorities
        on priorities.plan_code = indicators.plan_code
        and priorities.strategic_priority = indicators.strategic_priority
)

select
    indicator_code,
    any_value(indicator_name) as indicator_name,
    plan_code,
    any_value(commissioner_code) as commissioner_code,
    arg_min(strategic_priority, coalesce(priority_number, 999999)) as strategic_priority,
    list(strategic_priority order by coalesce(priority_number, 999999), strategic_priority) as strategic_priorities,
    arg_min(priority_short_name, coalesce(priority_number, 999999)) as priority_short_name,
    arg_min(theme_code, coalesce(priority_number, 999999)) as theme_code,
    arg_min(national_outcome_area, coalesce(priority_number, 999999)) as national_outcome_area,
    any_value(unit) as unit,
    any_value(kind) as kind,
    any_value(better) as better,
    any_value(bounded_by) as bounded_by,
    bool_or(is_headline) as is_headline,
    any_value(unit) = 'count' and any_value(better) = 'higher' as has_cost_per_outcome,
    any_value(definition) as definition
from measured
group by indicator_code, plan_code

-- Police and Crime Plans: whose, the years each applies to, and how many themes, priorities and
-- funding mechanisms it has.
with plans as (
    select * from {{ ref('int_plans') }}
),

elements as (
    select
        plan_code,
        count(*) filter (where element_kind = 'theme' and in_plan) as themes,
        count(*) filter (where element_kind = 'priority' and in_plan) as strategic_priorities,
        count(*) filter (where element_kind = 'mechanism') as funding_mechanisms
    from {{ ref('int_plan_elements') }}
    group by plan_code
)

select
    plans.plan_code,
    plans.commissioner_code,
    plans.plan_name,
    plans.applies_from,
    plans.applies_until,
    coalesce(elements.themes, 0) as themes,
    coalesce(elements.strategic_priorities, 0) as strategic_priorities,
    coalesce(elements.funding_mechanisms, 0) as funding_mechanisms,
    plans.source_document
from plans
left join elements on elements.plan_code = plans.plan_code

-- Every theme, priority and mechanism of every plan, with its plan's code and commissioner (a
-- plan's indicators are in int_plan_indicators).
with elements as (
    select * from {{ ref('stg_plans__plan_elements') }}
    where element_kind != 'indicator'
),

plans as (
    select * from {{ ref('int_plans') }}
)

select
    plans.plan_code,
    plans.commissioner_code,
    elements.element_kind,
    elements.element_code,
    elements.element_name,
    elements.parent_code,
    elements.national_code,
    elements.short_name,
    elements.position,
    elements.in_plan,
    elements.description,
    elements.source_file,
    elements.source_row
from elements
inner join plans on plans.plan_folder = elements.plan_folder

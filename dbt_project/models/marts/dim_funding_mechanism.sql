-- Each plan's funding mechanisms, with the label its documents print and the national class.
with mechanisms as (
    select * from {{ ref('int_plan_elements') }}
    where element_kind = 'mechanism'
),

classes as (
    select * from {{ ref('stg_reference__national_mechanism_classes') }}
)

select
    mechanisms.plan_code,
    mechanisms.commissioner_code,
    mechanisms.element_code as mechanism_code,
    mechanisms.element_name as funding_mechanism,
    coalesce(mechanisms.short_name, mechanisms.element_code) as printed_label,
    mechanisms.description as how_it_works,
    mechanisms.national_code as mechanism_class,
    classes.mechanism_class_name
from mechanisms
left join classes on classes.mechanism_class = mechanisms.national_code

-- One conformed value per (scope, field, spelling key). Plan fields (theme, priority, mechanism)
-- are looked up within a plan, so two plans may use the same code for different things; other
-- fields within a commissioner. An analyst's listed variant wins over the plan's own code, name
-- and label, so a new printing is conformed as soon as it is listed.
with variants as (
    select * from {{ ref('stg_reference__name_variants') }}
),

elements as (
    select * from {{ ref('int_plan_elements') }}
),

plan_variants as (
    -- a commissioner's variant applies in each of its plans that has the element it names
    select
        elements.plan_code as scope,
        variants.field,
        {{ conform_key('variants.printed') }} as printed_key,
        elements.element_code as conformed,
        1 as precedence
    from variants
    inner join elements
        on elements.commissioner_code = variants.commissioner_code
        and elements.element_kind = variants.field
        and elements.element_code = variants.conformed
),

other_variants as (
    select
        commissioner_code as scope,
        field,
        {{ conform_key('printed') }} as printed_key,
        conformed,
        1 as precedence
    from variants
    where field not in ('theme', 'priority', 'mechanism')
),

plan_names as (
    select
        plan_code as scope,
        element_kind as field,
        {{ conform_key('element_code') }} as printed_key,
        element_code as conformed,
        2 as precedence
    from elements
    union all
    select
        plan_code,
        element_kind,
        {{ conform_key('element_name') }} as printed_key,
        element_code as conformed,
        3 as precedence
    from elements
    union all
    select
        plan_code,
        element_kind,
        {{ conform_key('short_name') }} as printed_key,
        element_code as conformed,
        4 as precedence
    from elements
    where short_name is not null
),

partnerships as (
    select
        commissioner_code as scope,
        'csp' as field,
        {{ conform_key('csp_name') }} as printed_key,
        csp_name as conformed,
        2 as precedence
    from {{ ref('stg_reference__community_safety_partnerships') }}
),

all_names as (
    select * from plan_variants
    union all
    select * from other_variants
    union all
    select * from plan_names
    union all
    select * from partnerships
)

select
    scope,
    field,
    printed_key,
    conformed
from all_names
where printed_key != ''
qualify row_number() over (partition by scope, field, printed_key order by precedence, conformed) = 1

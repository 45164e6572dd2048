-- How each grant is classified in the 360Giving file: the strategic priorities of the commissioner's
-- plan it serves, largest share first (vocabulary: the plan) and their national outcome areas (one vocabulary for every
-- commissioner, so grants compare across them).
with grants as (
    select * from {{ ref('pub_grants') }}
),

by_priority as (
    select * from {{ ref('fct_allocation_by_priority') }}
),

priorities as (
    select * from {{ ref('dim_strategic_priority') }}
),

plans as (
    select * from {{ ref('dim_plan') }}
),

priority_rows as (
    select
        grants.commissioner_code,
        grants.framework_version,
        grants.grant_id,
        grants.contract_id,
        'Strategic priority of ' || coalesce(plans.plan_name, by_priority.plan_code) as vocabulary,
        by_priority.strategic_priority as code,
        priorities.priority_name as title,
        1 as vocabulary_order,
        1 - by_priority.share as code_order
    from grants
    inner join by_priority
        on by_priority.commissioner_code = grants.commissioner_code
        and by_priority.framework_version = grants.framework_version
        and by_priority.contract_id = grants.contract_id
    left join priorities
        on priorities.plan_code = by_priority.plan_code
        and priorities.strategic_priority = by_priority.strategic_priority
    left join plans on plans.plan_code = by_priority.plan_code
),

area_rows as (
    select distinct
        grants.commissioner_code,
        grants.framework_version,
        grants.grant_id,
        grants.contract_id,
        'National outcome area (police and crime commissioners)' as vocabulary,
        priorities.national_outcome_area as code,
        priorities.national_outcome_area_name as title,
        2 as vocabulary_order,
        0.0 as code_order
    from grants
    inner join by_priority
        on by_priority.commissioner_code = grants.commissioner_code
        and by_priority.framework_version = grants.framework_version
        and by_priority.contract_id = grants.contract_id
    inner join priorities
        on priorities.plan_code = by_priority.plan_code
        and priorities.strategic_priority = by_priority.strategic_priority
    where priorities.national_outcome_area is not null
)

select
    *,
    row_number() over (
        partition by commissioner_code, framework_version, contract_id order by vocabulary_order, code_order, code
    ) as position
from (
    select * from priority_rows
    union all
    select * from area_rows
) as classifications

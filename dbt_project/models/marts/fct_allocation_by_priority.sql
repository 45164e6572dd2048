-- Allocated money attributed to strategic priorities. A valid secondary priority
-- different from the primary takes var('secondary_priority_share') and the primary the
-- rest; with no valid secondary the primary takes all; a primary naming several
-- priorities (SP5/6) splits its share equally; Partnership Locality Fund lines go to
-- VARIOUS. Shares add up to exactly 1 per contract and pennies to the allocation: the
-- rounding remainder goes to the first primary row.
with allocation as (
    select * from {{ ref('fct_allocation') }}
),

priorities as (
    select * from {{ ref('int_allocation_lines__priorities') }}
),

roles as (
    select
        allocation.framework_version,
        allocation.commissioner_code,
        allocation.contract_id,
        allocation.allocated_gbp,
        coalesce(priorities.primary_priorities, ['UNATTRIBUTED']) as primary_priorities,
        priorities.secondary_priority
    from allocation
    left join priorities
        on priorities.framework_version = allocation.framework_version
        and priorities.contract_id = allocation.contract_id
        and priorities.source_table = allocation.source_table
        and priorities.line_number = allocation.line_number
),

primary_rows as (
    select
        framework_version,
        commissioner_code,
        contract_id,
        allocated_gbp,
        unnest(primary_priorities) as strategic_priority,
        generate_subscripts(primary_priorities, 1) as position,
        case when strategic_priority = 'VARIOUS' then 'various' else 'primary' end as priority_role,
        (case when secondary_priority is null then 1.0 else {{ var('primary_priority_share') }} end)
            / len(primary_priorities) as share
    from roles
),

secondary_rows as (
    select
        framework_version,
        commissioner_code,
        contract_id,
        allocated_gbp,
        secondary_priority as strategic_priority,
        100 as position,
        'secondary' as priority_role,
        {{ var('secondary_priority_share') }} * 1.0 as share
    from roles
    where secondary_priority is not null
),

shares as (
    select * from primary_rows
    union all
    select * from secondary_rows
),

rounded as (
    select
        *,
        cast(round(share, 9) as decimal(12, 9)) as rounded_share,
        round(allocated_gbp * share, 2) as rounded_gbp,
        row_number() over (partition by framework_version, contract_id order by position) as row_in_contract
    from shares
)

select
    framework_version,
    commissioner_code,
    contract_id,
    strategic_priority,
    priority_role,
    cast(
        case
            when row_in_contract = 1
                then 1 - (sum(rounded_share) over (partition by framework_version, contract_id) - rounded_share)
            else rounded_share
        end as decimal(12, 9)
    ) as share,
    cast(
        case
            when row_in_contract = 1
                then allocated_gbp - (sum(rounded_gbp) over (partition by framework_version, contract_id) - rounded_gbp)
            else rounded_gbp
        end as decimal(14, 2)
    ) as attributed_gbp
from rounded

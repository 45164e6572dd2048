-- Each contract's share of its money by strategic priority, per framework version, under the
-- plan in force for the version. A valid secondary priority different from the primary takes
-- var('secondary_priority_share') and the primary the rest; with no valid secondary the primary
-- takes all; a cell naming several primaries splits the primary share equally. A line whose
-- primary priority cannot be read against the plan has one row with no priority (the quality
-- gate holds such a version back). Shares are exact to 9 decimals and add up to exactly 1: the
-- first row takes the rounding remainder. The same shares attribute allocations and the spend
-- providers report.
with lines as (
    select * from {{ ref('int_framework_lines') }}
),

priorities as (
    select * from {{ ref('int_allocation_lines__priorities') }}
),

roles as (
    select
        lines.framework_version,
        lines.commissioner_code,
        lines.plan_code,
        lines.financial_year,
        lines.contract_id,
        coalesce(priorities.primary_priorities, [null]) as primary_priorities,
        priorities.secondary_priority
    from lines
    left join priorities
        on priorities.framework_version = lines.framework_version
        and priorities.contract_id = lines.contract_id
        and priorities.source_table = lines.source_table
        and priorities.line_number = lines.line_number
),

primary_rows as (
    select
        framework_version,
        commissioner_code,
        plan_code,
        financial_year,
        contract_id,
        unnest(primary_priorities) as strategic_priority,
        generate_subscripts(primary_priorities, 1) as position,
        'primary' as priority_role,
        (case when secondary_priority is null then 1.0 else {{ var('primary_priority_share') }} end)
        / len(primary_priorities) as raw_share
    from roles
),

secondary_rows as (
    select
        framework_version,
        commissioner_code,
        plan_code,
        financial_year,
        contract_id,
        secondary_priority as strategic_priority,
        100 as position,
        'secondary' as priority_role,
        {{ var('secondary_priority_share') }} * 1.0 as raw_share
    from roles
    where secondary_priority is not null
),

shares as (
    select
        *,
        cast(round(raw_share, 9) as decimal(12, 9)) as rounded_share
    from (
        select * from primary_rows
        union all
        select * from secondary_rows
    ) as all_rows
)

select
    shares.framework_version,
    shares.commissioner_code,
    shares.plan_code,
    shares.financial_year,
    shares.contract_id,
    shares.strategic_priority,
    -- a line of a pooled priority outside the plan proper (in_plan false) is not a primary as such
    case
        when shares.priority_role = 'primary' and not coalesce(elements.in_plan, true) then 'pooled' else shares.priority_role
    end
        as priority_role,
    shares.position,
    cast(
        case
            when row_number() over per_contract = 1
                then 1
                    - (
                        sum(shares.rounded_share) over (partition by shares.framework_version, shares.contract_id)
                        - shares.rounded_share
                    )
            else shares.rounded_share
        end as decimal(12, 9)
    ) as share
from shares
left join {{ ref('int_plan_elements') }} as elements
    on elements.plan_code = shares.plan_code
    and elements.element_kind = 'priority'
    and elements.element_code = shares.strategic_priority
window per_contract as (partition by shares.framework_version, shares.contract_id order by shares.position)

-- Strategic priorities read from the printed priority cells of each allocation line, resolved
-- against the priorities of the plan in force for the line's version (never a fixed pattern):
-- a cell may name one priority by code, name or short name, or several (the priority_tokens macro:
-- joined by '/', ',', '&' or '+', a bare number taking the letters the cell starts with).
-- A secondary that is not a priority of the plan ('-', blank, an area printed in its place) is
-- no secondary, with the reason kept.
with lines as (
    select * from {{ ref('int_allocation_lines__conformed') }}
),

priorities as (
    select * from {{ ref('int_plan_elements') }}
    where element_kind = 'priority'
),

priority_keys as (
    select
        plan_code,
        element_code,
        in_plan,
        printed_key
    from (
        select
            plan_code,
            element_code,
            in_plan,
            {{ priority_key('element_code') }} as printed_key,
            1 as precedence
        from priorities
        union all
        select
            plan_code,
            element_code,
            in_plan,
            {{ priority_key('element_name') }} as printed_key,
            2 as precedence
        from priorities
        union all
        select
            plan_code,
            element_code,
            in_plan,
            {{ priority_key('short_name') }} as printed_key,
            3 as precedence
        from priorities
        where short_name is not null
    )
    where printed_key != ''
    qualify row_number() over (partition by plan_code, printed_key order by precedence, element_code) = 1
),

cells as (
    select
        framework_version,
        commissioner_code,
        plan_code,
        contract_id,
        source_table,
        line_number,
        'primary' as priority_role,
        primary_priority_printed as printed,
        theme_code,
        theme_used
    from lines
    union all
    select
        framework_version,
        commissioner_code,
        plan_code,
        contract_id,
        source_table,
        line_number,
        'secondary' as priority_role,
        secondary_priority_printed as printed,
        theme_code,
        theme_used
    from lines
),

whole_cell as (
    select
        cells.*,
        {{ nullif_blank('cells.printed') }} is null as is_blank,
        whole.element_code as whole_code
    from cells
    left join priority_keys as whole
        on whole.plan_code = cells.plan_code
        and whole.printed_key = {{ priority_key('cells.printed') }}
),

tokens as (
    select
        whole_cell.* exclude (whole_cell.whole_code),
        unnest({{ priority_tokens('printed') }}) as token_key,
        generate_subscripts({{ priority_tokens('printed') }}, 1) as token_position
    from whole_cell
    where whole_cell.whole_code is null and not whole_cell.is_blank
),

resolved_tokens as (
    select
        tokens.*,
        keys.element_code as token_code
    from tokens
    left join priority_keys as keys
        on keys.plan_code = tokens.plan_code
        and keys.printed_key = tokens.token_key
),

by_tokens as (
    -- the codes in the order printed, each once
    select
        framework_version,
        contract_id,
        source_table,
        line_number,
        priority_role,
        list(token_code order by token_position) filter (where is_first) as codes,
        bool_and(token_code is not null) as all_resolved
    from (
        select
            *,
            row_number() over (
                partition by framework_version, contract_id, source_table, line_number, priority_role, token_code
                order by token_position
            ) = 1 as is_first
        from resolved_tokens
    ) as numbered
    group by all
),

resolved as (
    select
        whole_cell.*,
        case
            when whole_cell.whole_code is not null then [whole_cell.whole_code]
            when by_tokens.all_resolved then by_tokens.codes
        end as codes
    from whole_cell
    left join by_tokens
        on by_tokens.framework_version = whole_cell.framework_version
        and by_tokens.contract_id = whole_cell.contract_id
        and by_tokens.source_table = whole_cell.source_table
        and by_tokens.line_number = whole_cell.line_number
        and by_tokens.priority_role = whole_cell.priority_role
),

primary_cells as (
    select
        resolved.*,
        first_primary.parent_code as primary_theme_code
    from resolved
    left join priorities as first_primary
        on first_primary.plan_code = resolved.plan_code
        and first_primary.element_code = resolved.codes[1]
    where resolved.priority_role = 'primary'
),

secondary_cells as (
    select
        resolved.*,
        secondary_element.in_plan as secondary_in_plan
    from resolved
    left join priorities as secondary_element
        on secondary_element.plan_code = resolved.plan_code
        and secondary_element.element_code = resolved.codes[1]
    where resolved.priority_role = 'secondary'
)

select
    primary_cells.framework_version,
    primary_cells.commissioner_code,
    primary_cells.plan_code,
    primary_cells.contract_id,
    primary_cells.source_table,
    primary_cells.line_number,
    primary_cells.printed as primary_priority_printed,
    secondary_cells.printed as secondary_priority_printed,
    primary_cells.codes as primary_priorities,
    -- a line that prints no theme (an allocation register) takes its first primary priority's theme
    case when {{ nullif_blank('primary_cells.theme_used') }} is null then primary_cells.primary_theme_code
        else primary_cells.theme_code
    end as theme_code,
    case
        when len(secondary_cells.codes) = 1
            and secondary_cells.secondary_in_plan
            and not list_contains(coalesce(primary_cells.codes, []), secondary_cells.codes[1])
            then secondary_cells.codes[1]
    end as secondary_priority,
    case
        when primary_cells.plan_code is null then 'no plan in force for the version''s year'
        when primary_cells.is_blank then 'no primary priority printed'
        when primary_cells.codes is null
            then 'primary priority ''' || primary_cells.printed || ''' is not a priority of plan ' || primary_cells.plan_code
    end as primary_problem,
    case
        when secondary_cells.is_blank then 'none printed'
        when secondary_cells.codes is null then 'not a strategic priority of the plan: ''' || secondary_cells.printed || ''''
        when len(secondary_cells.codes) > 1 then 'several priorities printed: ''' || secondary_cells.printed || ''''
        when
            not secondary_cells.secondary_in_plan
            then 'a pooled line, not a plan priority: ''' || secondary_cells.printed || ''''
        when list_contains(coalesce(primary_cells.codes, []), secondary_cells.codes[1]) then 'same as the primary'
    end as secondary_not_used_because
from primary_cells
inner join secondary_cells
    on secondary_cells.framework_version = primary_cells.framework_version
    and secondary_cells.contract_id = primary_cells.contract_id
    and secondary_cells.source_table = primary_cells.source_table
    and secondary_cells.line_number = primary_cells.line_number

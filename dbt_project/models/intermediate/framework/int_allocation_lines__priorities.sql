-- Strategic priority codes parsed from the printed cells: 'SP5/6' names two primaries,
-- 'Various' (Partnership Locality Fund) maps to VARIOUS, and a secondary that is not
-- SP1..SP17 ('-', blank, 'LLR') is no secondary, with the reason kept.
with lines as (
    select * from {{ ref('int_allocation_lines__conformed') }}
),

parsed as (
    select
        framework_version,
        contract_id,
        source_table,
        line_number,
        primary_priority_printed,
        secondary_priority_printed,
        upper(replace(coalesce(trim(primary_priority_printed), ''), ' ', '')) as primary_clean,
        upper(replace(coalesce(trim(secondary_priority_printed), ''), ' ', '')) as secondary_clean
    from lines
),

coded as (
    select
        *,
        case
            when primary_clean = 'VARIOUS' then ['VARIOUS']
            when regexp_full_match(primary_clean, 'SP\d{1,2}(/(SP)?\d{1,2})*')
                then list_transform(regexp_extract_all(primary_clean, '\d{1,2}'), lambda n: 'SP' || cast(cast(n as integer) as varchar))
        end as primary_codes,
        case
            when secondary_clean = 'VARIOUS' then 'VARIOUS'
            when regexp_full_match(secondary_clean, 'SP\d{1,2}') then 'SP' || cast(try_cast(substr(secondary_clean, 3) as integer) as varchar)
        end as secondary_code
    from parsed
)

select
    framework_version,
    contract_id,
    source_table,
    line_number,
    primary_priority_printed,
    secondary_priority_printed,
    case when list_bool_and(list_transform(primary_codes, lambda c: c = 'VARIOUS' or try_cast(substr(c, 3) as integer) between 1 and 17))
        then primary_codes end as primary_priorities,
    case
        when secondary_code = 'VARIOUS' then null
        when try_cast(substr(secondary_code, 3) as integer) between 1 and 17
            and not list_contains(primary_codes, secondary_code) then secondary_code
    end as secondary_priority,
    case
        when primary_codes is null then 'primary priority not readable: ''' || coalesce(primary_priority_printed, '') || ''''
    end as primary_problem,
    case
        when secondary_clean in ('', '-') then 'none printed'
        when secondary_code = 'VARIOUS' then 'various (Partnership Locality Fund)'
        when secondary_code is null then 'not a strategic priority: ''' || secondary_priority_printed || ''''
        when not try_cast(substr(secondary_code, 3) as integer) between 1 and 17 then 'no such strategic priority: ' || secondary_code
        when list_contains(primary_codes, secondary_code) then 'same as the primary'
    end as secondary_not_used_because
from coded

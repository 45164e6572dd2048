-- One allocation line per framework version and contract. A version's framework proper is its
-- allocation tables (the lowest precedence first); a summary table that restates them is kept
-- beside as corroboration.
with lines as (
    select * from {{ ref('int_allocation_lines__conformed') }}
),

tables as (
    select * from {{ ref('stg_reference__allocation_tables') }}
),

priorities as (
    select * from {{ ref('int_allocation_lines__priorities') }}
),

ranked as (
    select
        lines.* exclude (theme_code),
        priorities.theme_code,
        row_number() over (
            partition by lines.framework_version, lines.contract_id
            order by case tables.table_role when 'allocation' then 1 else 2 end, tables.precedence, lines.line_number
        ) as preference,
        count(*) over (partition by lines.framework_version, lines.contract_id, lines.source_table) as lines_in_same_table
    from lines
    left join tables on tables.source_table = lines.source_table
    left join priorities
        on priorities.commissioner_code = lines.commissioner_code
        and priorities.framework_version = lines.framework_version
        and priorities.source_table = lines.source_table
        and priorities.line_number = lines.line_number
),

restated as (
    select
        lines.framework_version,
        lines.contract_id,
        lines.allocated_gbp as table_1_allocated_gbp
    from lines
    inner join tables on tables.source_table = lines.source_table
    where tables.table_role = 'restatement'
    qualify row_number() over (partition by lines.framework_version, lines.contract_id order by lines.line_number) = 1
)

select
    ranked.* exclude (preference),
    restated.table_1_allocated_gbp,
    restated.contract_id is not null as in_table_1
from ranked
left join restated
    on restated.framework_version = ranked.framework_version
    and restated.contract_id = ranked.contract_id
where ranked.preference = 1

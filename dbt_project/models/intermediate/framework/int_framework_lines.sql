-- One allocation line per framework version and contract. A version's framework proper is
-- its appendices (B: existing commitments, C: additional allocations); the decision
-- record's Table 1 restates them and is kept beside as corroboration.
with lines as (
    select * from {{ ref('int_allocation_lines__conformed') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by framework_version, contract_id
            order by case source_table when 'appendix_b' then 1 when 'appendix_c' then 2 else 3 end, line_number
        ) as preference,
        count(*) over (partition by framework_version, contract_id, source_table) as lines_in_same_table
    from lines
),

table_1 as (
    select framework_version, contract_id, allocated_gbp as table_1_allocated_gbp
    from lines
    where source_table = 'table_1'
)

select
    ranked.* exclude (preference),
    table_1.table_1_allocated_gbp,
    table_1.contract_id is not null as in_table_1
from ranked
left join table_1
    on table_1.framework_version = ranked.framework_version
    and table_1.contract_id = ranked.contract_id
where ranked.preference = 1

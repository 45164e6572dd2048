-- The budget position each version prints beside what its allocation lines add up to, and
-- whether the printed arithmetic holds: available = budget - committed; reserve = budget -
-- committed - additional allocations. Which lines count towards committed and towards
-- additional allocations comes from the table they are printed in (allocation_tables.budget_line).
-- Printed figures are in £m to three decimals, so comparisons with lines are at £1,000. A
-- version that prints no budget figures has nothing to check (the flags are null).
with printed as (
    select * from {{ ref('int_budget_lines__by_version') }}
),

lines as (
    select * from {{ ref('int_framework_lines') }}
),

tables as (
    select * from {{ ref('stg_reference__allocation_tables') }}
),

from_lines as (
    select
        lines.commissioner_code,
        lines.framework_version,
        sum(lines.allocated_gbp) filter (where tables.budget_line = 'committed') as committed_from_lines_gbp,
        sum(lines.allocated_gbp) filter (where tables.budget_line = 'additional_allocations') as additional_from_lines_gbp,
        sum(lines.allocated_gbp) as allocated_gbp
    from lines
    left join tables on tables.source_table = lines.source_table
    group by all
)

select
    printed.framework_version,
    printed.commissioner_code,
    printed.financial_year,
    printed.version_number,
    printed.budget_lines_printed,
    printed.budget_gbp as commissioning_budget_gbp,
    printed.committed_gbp as committed_printed_gbp,
    from_lines.committed_from_lines_gbp,
    printed.available_gbp as available_printed_gbp,
    printed.budget_gbp - printed.committed_gbp as available_computed_gbp,
    printed.additional_gbp as additional_printed_gbp,
    from_lines.additional_from_lines_gbp,
    printed.reserve_gbp as reserve_printed_gbp,
    printed.budget_gbp - printed.committed_gbp - printed.additional_gbp as reserve_computed_gbp,
    from_lines.allocated_gbp,
    printed.budget_gbp - from_lines.allocated_gbp as reserve_from_lines_gbp,
    printed.available_gbp = printed.budget_gbp - printed.committed_gbp as available_arithmetic_holds,
    printed.reserve_gbp = printed.budget_gbp - printed.committed_gbp - printed.additional_gbp as reserve_arithmetic_holds,
    round(from_lines.committed_from_lines_gbp, -3) = printed.committed_gbp as committed_matches_lines,
    round(from_lines.additional_from_lines_gbp, -3) = printed.additional_gbp as additional_matches_lines,
    round(printed.budget_gbp - from_lines.allocated_gbp, -3) = printed.reserve_gbp as reserve_matches_lines
from printed
left join from_lines
    on from_lines.commissioner_code = printed.commissioner_code
    and from_lines.framework_version = printed.framework_version

-- The budget position each version prints (section 3 and the reserve note), beside what the
-- allocation lines add up to, and whether the printed arithmetic holds:
-- available = budget - committed; reserve = budget - committed - additional allocations.
-- Printed figures are in £m to three decimals, so comparisons with lines are at £1,000.
with printed as (
    select * from {{ ref('int_budget_lines__by_version') }}
),

lines as (
    select * from {{ ref('int_framework_lines') }}
),

from_lines as (
    select
        framework_version,
        sum(allocated_gbp) filter (where source_table = 'appendix_b') as committed_from_lines_gbp,
        sum(allocated_gbp) filter (where source_table = 'appendix_c') as additional_from_lines_gbp,
        sum(allocated_gbp) as allocated_gbp
    from lines
    group by framework_version
)

select
    printed.framework_version,
    printed.commissioner_code,
    printed.financial_year,
    printed.version_number,
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
left join from_lines on from_lines.framework_version = printed.framework_version

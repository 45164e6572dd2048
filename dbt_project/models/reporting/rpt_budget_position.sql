-- Per commissioner and framework version of a year: the budget position as printed, beside what
-- the lines add up to, and whether the printed arithmetic holds.
with budget as (
    select * from {{ ref('fct_budget_position') }}
)

select
    commissioner_code,
    financial_year,
    framework_version,
    version_number,
    commissioning_budget_gbp,
    committed_printed_gbp,
    additional_printed_gbp,
    reserve_printed_gbp,
    allocated_gbp,
    reserve_from_lines_gbp,
    reserve_arithmetic_holds
from budget

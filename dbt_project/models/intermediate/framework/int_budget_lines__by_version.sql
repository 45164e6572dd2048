-- The printed budget figures of each version side by side (£m figures read as pounds). A version
-- that prints no budget figures has a row of nulls.
with budget as (
    select * from {{ ref('stg_framework__budget_lines') }}
),

versions as (
    select * from {{ ref('int_framework_versions') }}
)

select
    versions.version_folder,
    versions.framework_version,
    versions.commissioner_code,
    versions.financial_year,
    versions.version_number,
    count(budget.budget_line) as budget_lines_printed,
    max(budget.value_gbp) filter (where budget.budget_line = 'commissioning_budget') as budget_gbp,
    max(budget.value_gbp) filter (where budget.budget_line = 'committed') as committed_gbp,
    max(budget.value_gbp) filter (where budget.budget_line = 'available') as available_gbp,
    max(budget.value_gbp) filter (where budget.budget_line = 'additional_allocations') as additional_gbp,
    max(budget.value_gbp) filter (where budget.budget_line = 'reserve') as reserve_gbp
from versions
left join budget on budget.version_folder = versions.version_folder
group by all

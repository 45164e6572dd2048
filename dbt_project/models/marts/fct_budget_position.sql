-- The budget position each published version prints (commissioning budget, committed, available,
-- additional allocations, reserve) beside what its lines add up to, and whether the printed
-- arithmetic holds. A version that prints no budget figures is not here.
with budget as (
    select * from {{ ref('int_budget_position') }}
),

versions as (
    select * from {{ ref('int_framework_versions__published') }}
    where not is_held_back
)

select
    budget.* exclude (budget_lines_printed),
    versions.funding_stream
from budget
inner join versions
    on versions.commissioner_code = budget.commissioner_code
    and versions.framework_version = budget.framework_version
where budget.budget_lines_printed > 0

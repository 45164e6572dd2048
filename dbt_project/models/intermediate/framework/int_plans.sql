-- Each commissioner's plans with the span of years each applies to: from its own first year
-- until the first year of the commissioner's next plan (open-ended for the latest).
with plans as (
    select * from {{ ref('stg_plans__plans') }}
)

select
    plan_code,
    commissioner_code,
    plan_name,
    applies_from,
    lead(applies_from) over (partition by commissioner_code order by applies_from) as applies_until,
    source_document,
    plan_folder
from plans

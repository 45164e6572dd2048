-- The indicators that measure each priority of each plan, with their definitions from the catalogue.
with plan_indicators as (
    select * from {{ ref('stg_plans__plan_indicators') }}
),

plans as (
    select * from {{ ref('int_plans') }}
),

indicators as (
    select * from {{ ref('stg_reference__indicators') }}
)

select
    plans.plan_code,
    plans.commissioner_code,
    plan_indicators.strategic_priority,
    plan_indicators.indicator_code,
    plan_indicators.is_headline,
    indicators.indicator_name,
    indicators.unit,
    indicators.kind,
    indicators.better,
    indicators.bounded_by,
    indicators.definition
from plan_indicators
inner join plans on plans.plan_folder = plan_indicators.plan_folder
inner join indicators on indicators.indicator_code = plan_indicators.indicator_code

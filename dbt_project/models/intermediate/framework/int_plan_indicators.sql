-- The indicators that measure each priority of each plan, with their definitions: one row per plan,
-- priority and indicator. They come from the plan's rows of kind indicator (parent_code 'A/B'
-- names every priority an indicator measures) and from a plan's indicators.csv with the catalogue.
with plan_indicators as (
    select * from {{ ref('stg_plans__plan_indicators') }}
),

plan_elements as (
    select * from {{ ref('stg_plans__plan_elements') }}
    where element_kind = 'indicator'
),

plans as (
    select * from {{ ref('int_plans') }}
),

indicators as (
    select * from {{ ref('stg_reference__indicators') }}
),

measured as (
    select
        plan_folder,
        strategic_priority,
        indicator_code,
        is_headline
    from plan_indicators

    union all

    select
        plan_folder,
        trim(unnest(string_split(parent_code, '/'))) as strategic_priority,
        element_code as indicator_code,
        is_headline
    from plan_elements
)

select
    plans.plan_code,
    plans.commissioner_code,
    measured.strategic_priority,
    measured.indicator_code,
    measured.is_headline,
    indicators.indicator_name,
    indicators.unit,
    indicators.kind,
    indicators.better,
    indicators.bounded_by,
    indicators.definition
from measured
inner join plans on plans.plan_folder = measured.plan_folder
inner join indicators on indicators.indicator_code = measured.indicator_code

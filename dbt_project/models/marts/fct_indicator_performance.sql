{{ incremental_by_year_config() }}
-- Each contract's indicators against target, per reporting period. Counts and money are compared
-- year to date with the annual target pro rata (a quarter of it per quarter, half per half-year, all
-- of it for the year); percentages with
-- the target rate. RAG: green at var('rag_green_at') of target or better, amber at
-- var('rag_amber_at'), red below; for indicators where less is better the ratio is inverted.
-- Targets are optional: an indicator the contract reports without a target has a row with
-- rag_status 'no target' (no RAG: never red, amber or green, never blocking).
with targets as (
    -- a target that does not read as a number is not used (the targets suite warns naming its row)
    select * from {{ ref('stg_reference__targets') }}
    where annual_target is not null
),

indicators as (
    select * from {{ ref('dim_indicator') }}
),

quarters as (
    select * from {{ ref('fct_contract_quarter') }}
    where {{ incremental_years('financial_year') }}
),

measures as (
    select
        contract_id,
        period,
        indicator_code as measure,
        value
    from {{ ref('fct_indicator_value') }}
    where {{ incremental_years('financial_year') }}
),

expected_indicators as (
    -- every indicator a contract has a target for, in every period it is expected to report
    select
        quarters.contract_id,
        quarters.period,
        quarters.financial_year,
        quarters.quarter_number,
        quarters.period_kind,
        quarters.months_in_period,
        quarters.return_status,
        quarters.plan_code,
        targets.indicator_code,
        targets.annual_target
    from quarters
    inner join targets
        on targets.contract_id = quarters.contract_id
        and targets.financial_year = quarters.financial_year

    union all

    -- every indicator of its plan the contract reported without a target for the year: 'no target'
    select
        quarters.contract_id,
        quarters.period,
        quarters.financial_year,
        quarters.quarter_number,
        quarters.period_kind,
        quarters.months_in_period,
        quarters.return_status,
        quarters.plan_code,
        measures.measure as indicator_code,
        null::double as annual_target
    from quarters
    inner join measures
        on measures.contract_id = quarters.contract_id
        and measures.period = quarters.period
    left join targets
        on targets.contract_id = quarters.contract_id
        and targets.financial_year = quarters.financial_year
        and targets.indicator_code = measures.measure
    where targets.indicator_code is null
),

valued as (
    select
        expected_indicators.*,
        indicators.indicator_name,
        indicators.unit,
        indicators.kind,
        indicators.better,
        indicators.is_headline,
        measures.value
    from expected_indicators
    inner join indicators
        on indicators.plan_code = expected_indicators.plan_code
        and indicators.indicator_code = expected_indicators.indicator_code
    left join measures
        on measures.contract_id = expected_indicators.contract_id
        and measures.period = expected_indicators.period
        and measures.measure = expected_indicators.indicator_code
),

to_date as (
    select
        *,
        case when unit = 'percent'
                then avg(value) over running
            else sum(value) over running
        end as value_ytd,
        count(value) over running as quarters_reported_ytd,
        case when unit = 'percent' then annual_target else annual_target * months_in_period / 12 end as target_quarter,
        case when unit = 'percent' then annual_target else annual_target * quarter_number / 4 end as target_ytd
    from valued
    window running as (
        partition by contract_id, indicator_code, financial_year, period_kind
        order by quarter_number
        rows between unbounded preceding and current row
    )
),

rated as (
    select
        *,
        case
            when value_ytd is null or target_ytd is null then null
            when better = 'higher' then value_ytd / nullif(target_ytd, 0)
            when value_ytd = 0 then 9.99
            else target_ytd / value_ytd
        end as achievement_ytd
    from to_date
)

select
    contract_id,
    period,
    financial_year,
    indicator_code,
    indicator_name,
    unit,
    kind,
    better,
    is_headline,
    return_status,
    value,
    target_quarter,
    value_ytd,
    target_ytd,
    quarters_reported_ytd,
    round(achievement_ytd, 4) as achievement_ytd,
    annual_target is not null as has_target,
    case
        when annual_target is null then 'no target'
        when value is null then 'not reported'
        when achievement_ytd >= {{ var('rag_green_at') }} then 'green'
        when achievement_ytd >= {{ var('rag_amber_at') }} then 'amber'
        else 'red'
    end as rag_status,
    coalesce(value is not null and achievement_ytd < 0.5, false) as missed_by_more_than_half
from rated

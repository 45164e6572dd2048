{{ incremental_by_year_config() }}
-- Per-service unit costs, as commissioners publish them ("£N to provide a service that supported M
-- people"): one row per contract, period, period_basis and indicator the contract reported, its
-- spend divided by its count. period_basis: the period itself, in the rhythm the contract reports
-- in ('quarter', 'half_year', or 'year' for an annual return), or the year to date ('year_to_date':
-- the quarters, or half-years, of the financial year up to it). Spend and counts are paired period
-- by period, as in the priority roll-ups: a period whose return reports the indicator but no spend
-- adds nothing to either side of a year to date. Activities, outputs and outcomes are all
-- costed, each row labelled with its kind (never added together); rates, percentages, sums of
-- money and counts where less is better are not, and not_computed_because says why. A return made
-- for a service group (contracts that report one count together) is one row, named by the group and
-- costed over its members' spend.
with indicator_values as (
    select * from {{ ref('fct_indicator_value') }}
    where {{ incremental_years('financial_year') }}
),

contract_spend as (
    select
        contract_id,
        period,
        value as spend_gbp
    from {{ ref('int_returns__latest_measures') }}
    where measure = 'spend_gbp' and {{ incremental_years('financial_year') }}
),

spend_periods as (
    select distinct period from contract_spend
),

group_spend as (
    -- a service group's spend: its members' (a member without a spend figure leaves the group without one)
    select
        groups.service_group as contract_id,
        spend_periods.period,
        case when count(members.spend_gbp) = count(*) then sum(members.spend_gbp) end as spend_gbp
    from {{ ref('int_service_groups') }} as groups
    cross join spend_periods
    left join contract_spend as members
        on members.contract_id = groups.contract_id
        and members.period = spend_periods.period
    group by groups.service_group, spend_periods.period
),

spend as (
    select * from contract_spend
    union all
    select * from group_spend
),

calendar as (
    select * from {{ ref('stg_returns__reporting_periods') }}
),

periods as (
    select * from {{ ref('int_returns__periods') }}
),

paired as (
    select
        indicator_values.*,
        calendar.quarter_number,
        calendar.period_kind,
        spend.spend_gbp
    from indicator_values
    inner join calendar on calendar.period = indicator_values.period
    left join spend
        on spend.contract_id = indicator_values.contract_id
        and spend.period = indicator_values.period
),

by_basis as (
    select
        commissioner_code,
        funding_stream,
        contract_id,
        financial_year,
        period,
        {{ period_basis_of('period_kind') }} as period_basis,
        indicator_code,
        indicator_kind,
        unit,
        better,
        spend_gbp,
        value
    from paired

    union all

    select
        paired.commissioner_code,
        any_value(paired.funding_stream) as funding_stream,
        paired.contract_id,
        paired.financial_year,
        periods.period,
        'year_to_date' as period_basis,
        paired.indicator_code,
        any_value(paired.indicator_kind) as indicator_kind,
        any_value(paired.unit) as unit,
        any_value(paired.better) as better,
        sum(paired.spend_gbp) as spend_gbp,
        -- rounded: a sum of doubles (a percentage's) must not depend on the order it is added in
        round(coalesce(sum(paired.value) filter (where paired.spend_gbp is not null), sum(paired.value)), 6) as value
    from paired
    inner join periods
        on periods.financial_year = paired.financial_year
        and periods.period_kind = paired.period_kind
        and periods.quarter_number >= paired.quarter_number
    where paired.period_kind in ('quarter', 'half-year')
    group by paired.commissioner_code, paired.contract_id, paired.financial_year, periods.period, paired.indicator_code
),

judged as (
    select
        *,
        case
            when unit = 'percent' then 'a rate or percentage, not a count: there is no cost per unit of it'
            when unit = 'gbp' then 'a sum of money, not a count: there is no cost per unit of it'
            when coalesce(unit, '') != 'count' then 'not an indicator of the catalogue: its unit is not known'
            when
                better = 'lower'
                then 'less is better: a smaller count would show a higher cost per unit, so it is judged against target instead'
            when spend_gbp is null then 'no spend reported for the period'
            when value = 0 then 'nothing counted: the count is 0'
            when value < 0 then 'a negative count cannot be costed'
        end as not_computed_because
    from by_basis
)

select
    commissioner_code,
    funding_stream,
    contract_id,
    financial_year,
    period,
    period_basis,
    indicator_code,
    indicator_kind,
    cast(round(spend_gbp, 2) as decimal(14, 2)) as spend_gbp,
    value,
    -- From the rounded spend shown beside it, so every figure recomputes from the others.
    case when not_computed_because is null
            then {{ pounds_per_unit('spend_gbp', 'value') }}
    end as cost_per_unit_gbp,
    not_computed_because
from judged

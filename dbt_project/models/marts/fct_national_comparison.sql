-- Commissioners and years side by side in the national terms every plan maps to: per commissioner,
-- financial year, funding stream, national outcome area and national mechanism class, the money the
-- stream's current version allocates (attributed to priorities by the usual shares), its share of
-- the commissioner's year in that stream, and where returns exist the spend to date (attributed the
-- same way) and the outcomes reported for the area's priorities, with the cost per outcome by the
-- rule of int_outcome_contributions (a contract gives a priority the same share of its outcomes as
-- of its spend): the spend attributed to the area's priorities by the contracts that reported
-- outcomes there, over their outcomes attributed with the same shares. A stream is compared only
-- with the same stream: a victims services grant is never set beside a commissioning framework.
with allocation as (
    select
        by_priority.commissioner_code,
        by_priority.financial_year,
        by_priority.funding_stream,
        by_priority.contract_id,
        by_priority.strategic_priority,
        by_priority.national_outcome_area,
        by_priority.share,
        by_priority.attributed_gbp,
        contracts.mechanism_class
    from {{ ref('fct_allocation_by_priority') }} as by_priority
    inner join {{ ref('fct_allocation') }} as contracts
        on contracts.commissioner_code = by_priority.commissioner_code
        and contracts.framework_version = by_priority.framework_version
        and contracts.contract_id = by_priority.contract_id
    where contracts.is_current_version
),

contract_streams as (
    select distinct
        contract_id,
        financial_year,
        funding_stream
    from allocation
),

money as (
    select
        commissioner_code,
        financial_year,
        funding_stream,
        national_outcome_area,
        mechanism_class,
        sum(attributed_gbp) as allocated_gbp,
        count(distinct contract_id) as contracts_funded
    from allocation
    group by all
),

year_totals as (
    select
        commissioner_code,
        financial_year,
        funding_stream,
        sum(attributed_gbp) as year_allocated_gbp
    from allocation
    group by all
),

spend as (
    -- each contract's spend in the year so far, attributed with the same shares as its allocation;
    -- in decimals, so the sum is exact: a sum of doubles lands either side of a half penny with
    -- the order DuckDB's threads add in, and the same returns gave figures a penny apart
    select
        allocation.commissioner_code,
        allocation.financial_year,
        allocation.funding_stream,
        allocation.national_outcome_area,
        allocation.mechanism_class,
        sum(cast(quarters.spend_gbp as decimal(38, 4)) * allocation.share) as spend_to_date_gbp,
        max(quarters.period) as latest_period
    from allocation
    inner join {{ ref('fct_contract_quarter') }} as quarters
        on quarters.contract_id = allocation.contract_id
        and quarters.financial_year = allocation.financial_year
    where quarters.spend_gbp is not null
    group by all
),

outcomes as (
    -- outcomes reported in the year against indicators of priorities in the area, by contracts of the class
    select
        contributions.commissioner_code,
        contributions.financial_year,
        streams.funding_stream,
        priorities.national_outcome_area,
        mechanisms.mechanism_class,
        sum(contributions.outcome_value) as outcomes_reported,
        sum(contributions.attributed_value) as attributed_outcomes
    from {{ ref('int_outcome_contributions') }} as contributions
    inner join contract_streams as streams
        on streams.contract_id = contributions.contract_id
        and streams.financial_year = contributions.financial_year
    inner join {{ ref('dim_strategic_priority') }} as priorities
        on priorities.plan_code = contributions.plan_code
        and priorities.strategic_priority = contributions.strategic_priority
    inner join {{ ref('dim_funding_mechanism') }} as mechanisms
        on mechanisms.plan_code = contributions.plan_code
        and mechanisms.mechanism_code = contributions.mechanism_code
    where contributions.indicator_kind = 'outcome'
    group by all
),

outcome_spend as (
    -- each contract-quarter's spend attributed to a priority of the area counted once, however
    -- many outcome indicators it reported there
    select
        commissioner_code,
        financial_year,
        funding_stream,
        national_outcome_area,
        mechanism_class,
        sum(attributed_spend_gbp) as attributed_outcome_spend_gbp
    from (
        select distinct
            contributions.commissioner_code,
            contributions.financial_year,
            streams.funding_stream,
            priorities.national_outcome_area,
            mechanisms.mechanism_class,
            contributions.contract_id,
            contributions.period,
            contributions.strategic_priority,
            contributions.attributed_spend_gbp
        from {{ ref('int_outcome_contributions') }} as contributions
        inner join contract_streams as streams
            on streams.contract_id = contributions.contract_id
            and streams.financial_year = contributions.financial_year
        inner join {{ ref('dim_strategic_priority') }} as priorities
            on priorities.plan_code = contributions.plan_code
            and priorities.strategic_priority = contributions.strategic_priority
        inner join {{ ref('dim_funding_mechanism') }} as mechanisms
            on mechanisms.plan_code = contributions.plan_code
            and mechanisms.mechanism_code = contributions.mechanism_code
        where contributions.indicator_kind = 'outcome'
    ) as once_each
    group by all
)

select
    money.commissioner_code,
    money.financial_year,
    money.funding_stream,
    money.national_outcome_area,
    areas.outcome_area_name as national_outcome_area_name,
    money.mechanism_class,
    classes.mechanism_class_name,
    cast(round(money.allocated_gbp, 2) as decimal(14, 2)) as allocated_gbp,
    round(money.allocated_gbp / nullif(year_totals.year_allocated_gbp, 0), 4) as share_of_commissioner_year,
    money.contracts_funded,
    cast(round(spend.spend_to_date_gbp, 2) as decimal(14, 2)) as spend_to_date_gbp,
    spend.latest_period as spend_to_date_period,
    outcomes.outcomes_reported,
    cast(round(outcomes.attributed_outcomes, 4) as decimal(18, 4)) as attributed_outcomes,
    cast(round(outcome_spend.attributed_outcome_spend_gbp, 2) as decimal(14, 2)) as attributed_outcome_spend_gbp,
    case when outcomes.attributed_outcomes > 0
            then {{ pounds_per_unit('outcome_spend.attributed_outcome_spend_gbp', 'outcomes.attributed_outcomes') }}
    end as cost_per_outcome_gbp,
    case
        when outcomes.attributed_outcomes is null then 'no outcomes reported for the area'
        when outcomes.attributed_outcomes = 0 then 'nothing counted: the attributed outcomes are 0'
    end as cost_not_computed_because
from money
inner join year_totals
    on year_totals.commissioner_code = money.commissioner_code
    and year_totals.financial_year = money.financial_year
    and year_totals.funding_stream = money.funding_stream
left join spend
    on spend.commissioner_code = money.commissioner_code
    and spend.financial_year = money.financial_year
    and spend.funding_stream = money.funding_stream
    and spend.national_outcome_area = money.national_outcome_area
    and spend.mechanism_class = money.mechanism_class
left join outcomes
    on outcomes.commissioner_code = money.commissioner_code
    and outcomes.financial_year = money.financial_year
    and outcomes.funding_stream = money.funding_stream
    and outcomes.national_outcome_area = money.national_outcome_area
    and outcomes.mechanism_class = money.mechanism_class
left join outcome_spend
    on outcome_spend.commissioner_code = money.commissioner_code
    and outcome_spend.financial_year = money.financial_year
    and outcome_spend.funding_stream = money.funding_stream
    and outcome_spend.national_outcome_area = money.national_outcome_area
    and outcome_spend.mechanism_class = money.mechanism_class
left join {{ ref('stg_reference__national_outcome_areas') }} as areas on areas.outcome_area = money.national_outcome_area
left join {{ ref('stg_reference__national_mechanism_classes') }} as classes on classes.mechanism_class = money.mechanism_class

-- Allocated money attributed to the strategic priorities of each version's own plan by each
-- contract's shares (int_priority_shares; weights as dbt vars), with the national outcome area of
-- each priority. Pounds add up to the allocation to the penny: the first row of each contract
-- takes the rounding remainder.
with shares as (
    select * from {{ ref('int_priority_shares') }}
),

allocation as (
    select * from {{ ref('fct_allocation') }}
),

priorities as (
    select * from {{ ref('dim_strategic_priority') }}
),

rounded as (
    select
        shares.*,
        allocation.allocated_gbp,
        allocation.funding_stream,
        allocation.reporting_rhythm,
        round(allocation.allocated_gbp * shares.share, 2) as rounded_gbp,
        row_number() over (partition by shares.framework_version, shares.contract_id order by shares.position) as row_in_contract
    from shares
    inner join allocation
        on allocation.framework_version = shares.framework_version
        and allocation.contract_id = shares.contract_id
)

select
    rounded.framework_version,
    rounded.commissioner_code,
    rounded.financial_year,
    rounded.funding_stream,
    rounded.reporting_rhythm,
    rounded.plan_code,
    rounded.contract_id,
    rounded.strategic_priority,
    priorities.national_outcome_area,
    rounded.priority_role,
    rounded.share,
    cast(
        case
            when rounded.row_in_contract = 1
                then rounded.allocated_gbp - (sum(rounded.rounded_gbp) over per_contract - rounded.rounded_gbp)
            else rounded.rounded_gbp
        end as decimal(14, 2)
    ) as attributed_gbp
from rounded
left join priorities
    on priorities.plan_code = rounded.plan_code
    and priorities.strategic_priority = rounded.strategic_priority
window per_contract as (partition by rounded.framework_version, rounded.contract_id)

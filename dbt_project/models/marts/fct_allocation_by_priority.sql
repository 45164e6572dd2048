-- Allocated money attributed to strategic priorities by each contract's shares
-- (int_priority_shares; weights as dbt vars). Pounds add up to the allocation to the penny:
-- the first row of each contract takes the rounding remainder.
with shares as (
    select * from {{ ref('int_priority_shares') }}
),

allocation as (
    select * from {{ ref('fct_allocation') }}
),

rounded as (
    select
        shares.*,
        allocation.allocated_gbp,
        round(allocation.allocated_gbp * shares.share, 2) as rounded_gbp,
        row_number() over (partition by shares.framework_version, shares.contract_id order by shares.position) as row_in_contract
    from shares
    inner join allocation
        on allocation.framework_version = shares.framework_version
        and allocation.contract_id = shares.contract_id
)

select
    framework_version,
    commissioner_code,
    contract_id,
    strategic_priority,
    priority_role,
    share,
    cast(
        case
            when row_in_contract = 1
                then allocated_gbp - (sum(rounded_gbp) over (partition by framework_version, contract_id) - rounded_gbp)
            else rounded_gbp
        end as decimal(14, 2)
    ) as attributed_gbp
from rounded

{{ config(meta={'dagster': {'ref': {'name': 'fct_allocation_by_priority'}}}) }}
-- Attribution must neither create nor lose money: per contract and version the shares are
-- exactly 1 and the attributed pounds exactly the allocation.
with attributed as (
    select framework_version, contract_id, sum(share) as shares, sum(attributed_gbp) as attributed_gbp
    from {{ ref('fct_allocation_by_priority') }}
    group by framework_version, contract_id
)

select allocation.framework_version, allocation.contract_id, allocation.allocated_gbp, attributed.shares, attributed.attributed_gbp
from {{ ref('fct_allocation') }} as allocation
left join attributed
    on attributed.framework_version = allocation.framework_version
    and attributed.contract_id = allocation.contract_id
where attributed.shares is distinct from 1
    or attributed.attributed_gbp is distinct from allocation.allocated_gbp

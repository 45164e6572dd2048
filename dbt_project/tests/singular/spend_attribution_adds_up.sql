{{ config(meta={'dagster': {'ref': {'name': 'fct_spend_by_priority'}}}) }}
-- Attributing providers' spend to priorities must neither create nor lose a penny: per
-- period, the spend over all priorities is exactly the spend the contracts reported.
with attributed as (
    select period, sum(spend_gbp) as spend_gbp
    from {{ ref('fct_spend_by_priority') }}
    group by period
),

reported as (
    select period, sum(cast(round(spend_gbp, 2) as decimal(14, 2))) as spend_gbp
    from {{ ref('fct_contract_quarter') }}
    where spend_gbp is not null
    group by period
)

select reported.period, reported.spend_gbp as reported_gbp, attributed.spend_gbp as attributed_gbp
from reported
full outer join attributed using (period)
where reported.spend_gbp is distinct from attributed.spend_gbp

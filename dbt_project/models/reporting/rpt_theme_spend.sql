-- Per commissioner and period: allocation to date against spend to date, by strategic theme, or
-- by funding mechanism for a plan without themes.
with performance as (
    select * from {{ ref('fct_contract_performance') }}
),

contracts as (
    select * from {{ ref('dim_contract') }}
),

themes as (
    select * from {{ ref('dim_strategic_theme') }}
),

grouped as (
    select
        contracts.commissioner_code,
        performance.period,
        performance.financial_year,
        case when contracts.theme_code is null then 'funding mechanism' else 'strategic theme' end as grouped_by,
        coalesce(themes.strategic_theme, contracts.strategic_theme, contracts.funding_mechanism) as theme_or_mechanism,
        min(coalesce(themes.theme_number, 999)) as display_order,
        sum(performance.profile_ytd_gbp) as allocation_to_date_gbp,
        sum(performance.spend_ytd_gbp) as spend_to_date_gbp,
        sum(performance.annual_allocated_gbp) as annual_allocation_gbp,
        count(*) as contracts
    from performance
    inner join contracts on contracts.contract_id = performance.contract_id
    left join themes
        on themes.plan_code = contracts.plan_code
        and themes.theme_code = contracts.theme_code
    group by all
)

select
    *,
    round(spend_to_date_gbp / nullif(allocation_to_date_gbp, 0), 4) as spend_to_allocation
from grouped

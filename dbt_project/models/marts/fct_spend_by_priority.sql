{{ incremental_by_year_config() }}
-- Per reporting period, funding stream and strategic priority: spend reported by providers, attributed to
-- priorities with the same shares as the allocation (latest framework version of the year),
-- beside the allocation for the period and year to date: the period's share of the annual
-- attribution (a quarter's, a half's, the whole year's) of the contracts that report for periods of
-- its kind (their reporting rhythm).
with spend as (
    select
        contract_id,
        period,
        value as spend_gbp
    from {{ ref('int_returns__latest_measures') }}
    where measure = 'spend_gbp' and {{ incremental_years('financial_year') }}
),

expected as (
    select * from {{ ref('int_returns__expected') }}
),

periods as (
    select * from {{ ref('int_returns__periods') }}
    where {{ incremental_years('financial_year') }}
),

allocation as (
    select by_priority.*
    from {{ ref('fct_allocation_by_priority') }} as by_priority
    inner join {{ ref('dim_framework_version') }} as versions
        on versions.commissioner_code = by_priority.commissioner_code
        and versions.framework_version = by_priority.framework_version
    where versions.is_latest
),

shares as (
    select * from {{ ref('int_priority_shares') }}
),

shared_spend as (
    select
        expected.commissioner_code,
        spend.period,
        shares.strategic_priority,
        expected.funding_stream,
        expected.period_kind,
        spend.contract_id,
        shares.share,
        cast(round(spend.spend_gbp, 2) as decimal(14, 2)) as contract_spend_gbp,
        cast(round(spend.spend_gbp * shares.share, 2) as decimal(14, 2)) as rounded_gbp
    from spend
    inner join expected using (contract_id, period)
    inner join shares
        on shares.framework_version = expected.framework_version
        and shares.contract_id = spend.contract_id
),

-- In pence, with the rounding remainder on the contract's largest share, so that a
-- contract's spend over its priorities adds up to what it reported and totals are exact
-- sums that do not depend on row order.
attributed_spend as (
    select
        commissioner_code,
        funding_stream,
        period_kind,
        period,
        strategic_priority,
        contract_id,
        case
            when row_number() over per_contract = 1
                then contract_spend_gbp - (sum(rounded_gbp) over (partition by contract_id, period) - rounded_gbp)
            else rounded_gbp
        end as spend_gbp
    from shared_spend
    window per_contract as (partition by contract_id, period order by share desc, strategic_priority asc)
),

quarter_spend as (
    select
        commissioner_code,
        funding_stream,
        period_kind,
        period,
        strategic_priority,
        sum(spend_gbp) as spend_gbp,
        count(distinct contract_id) as contracts_reporting
    from attributed_spend
    group by all
),

quarter_allocation as (
    select
        allocation.commissioner_code,
        allocation.funding_stream,
        periods.period_kind,
        periods.period,
        allocation.strategic_priority,
        sum(allocation.attributed_gbp * periods.months_in_period / 12) as allocated_gbp,
        count(distinct allocation.contract_id) as contracts_funded
    from allocation
    inner join periods
        on periods.financial_year = allocation.financial_year
        and periods.reporting_rhythm = allocation.reporting_rhythm
    group by all
),

combined as (
    select
        coalesce(a.commissioner_code, s.commissioner_code) as commissioner_code,
        coalesce(a.funding_stream, s.funding_stream) as funding_stream,
        coalesce(a.period_kind, s.period_kind) as period_kind,
        coalesce(a.period, s.period) as period,
        coalesce(a.strategic_priority, s.strategic_priority) as strategic_priority,
        coalesce(a.allocated_gbp, 0) as allocated_gbp,
        coalesce(s.spend_gbp, 0) as spend_gbp,
        coalesce(a.contracts_funded, 0) as contracts_funded,
        coalesce(s.contracts_reporting, 0) as contracts_reporting
    from quarter_allocation as a
    full outer join quarter_spend as s
        on s.commissioner_code = a.commissioner_code
        and s.funding_stream = a.funding_stream
        and s.period = a.period
        and s.strategic_priority = a.strategic_priority
)

select
    commissioner_code,
    funding_stream,
    period,
    {{ financial_year_of('period') }} as financial_year,
    strategic_priority,
    cast(round(allocated_gbp, 2) as decimal(14, 2)) as allocated_gbp,
    cast(round(spend_gbp, 2) as decimal(14, 2)) as spend_gbp,
    cast(round(sum(allocated_gbp) over to_date, 2) as decimal(14, 2)) as allocated_ytd_gbp,
    cast(round(sum(spend_gbp) over to_date, 2) as decimal(14, 2)) as spend_ytd_gbp,
    round(sum(spend_gbp) over to_date / nullif(sum(allocated_gbp) over to_date, 0), 4) as spend_to_allocation_ytd,
    contracts_funded,
    contracts_reporting
from combined
window to_date as (
    partition by commissioner_code, funding_stream, period_kind, {{ financial_year_of('period') }}, strategic_priority
    order by period
    rows between unbounded preceding and current row
)

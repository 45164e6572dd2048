-- Per commissioner, reporting period and funding stream of the year: what the pack shows of each fund
-- as its own section with its own totals. The stream's current version, the commissioner's name for
-- the fund, its contracts and allocation for the year, how its providers report, the returns of
-- the period (expected and received) and the spend returned in the year up to the period's end.
with versions as (
    select * from {{ ref('dim_framework_version') }}
    where is_latest
),

calendar as (
    select * from {{ ref('stg_returns__reporting_periods') }}
),

allocation as (
    select * from {{ ref('fct_allocation') }}
    where is_current_version
),

quarters as (
    select * from {{ ref('fct_contract_quarter') }}
),

rhythms as (
    select
        commissioner_code,
        framework_version,
        string_agg(distinct reporting_rhythm, ', ' order by reporting_rhythm) as reporting_rhythms
    from allocation
    group by all
),

period_returns as (
    select
        allocation.commissioner_code,
        allocation.framework_version,
        calendar.period,
        count(*) filter (where quarters.is_expected and quarters.period = calendar.period) as returns_expected,
        count(*) filter (
            where quarters.is_expected and quarters.period = calendar.period and quarters.is_received
        ) as returns_received,
        sum(quarters.spend_gbp) filter (where quarters.period_end <= calendar.period_end) as spend_to_date_gbp
    from allocation
    inner join calendar on calendar.financial_year = allocation.financial_year
    left join (
        select
            quarters.*,
            periods.period_end
        from quarters
        inner join calendar as periods on periods.period = quarters.period
    ) as quarters
        on quarters.contract_id = allocation.contract_id
        and quarters.financial_year = allocation.financial_year
    group by all
)

select
    versions.commissioner_code,
    calendar.period,
    versions.financial_year,
    versions.funding_stream,
    versions.funding_stream_name,
    versions.fund_name,
    versions.framework_version,
    versions.contracts,
    versions.allocated_gbp,
    rhythms.reporting_rhythms,
    coalesce(period_returns.returns_expected, 0) as returns_expected,
    coalesce(period_returns.returns_received, 0) as returns_received,
    coalesce(period_returns.spend_to_date_gbp, 0) as spend_to_date_gbp,
    -- the default stream first, then the others by name
    row_number() over (
        partition by versions.commissioner_code, calendar.period
        order by versions.funding_stream != '{{ var("default_funding_stream") }}', versions.funding_stream
    ) as stream_order
from versions
inner join calendar on calendar.financial_year = versions.financial_year
left join rhythms
    on rhythms.commissioner_code = versions.commissioner_code
    and rhythms.framework_version = versions.framework_version
left join period_returns
    on period_returns.commissioner_code = versions.commissioner_code
    and period_returns.framework_version = versions.framework_version
    and period_returns.period = calendar.period

-- Per commissioner and reporting period (quarter, half-year, year) of every financial year in which
-- the commissioner has allocations, with or without returns: the pack's header and headline
-- figures, and what the commissioner's data has (themes, budget lines, returns), so the pack can
-- say plainly what a section lacks.
with return_periods as (
    select * from {{ ref('stg_returns__return_periods') }}
),

calendar as (
    select * from {{ ref('stg_returns__reporting_periods') }}
),

versions as (
    select * from {{ ref('dim_framework_version') }}
),

commissioners as (
    select * from {{ ref('dim_commissioner') }}
),

plans as (
    select * from {{ ref('dim_plan') }}
),

budget as (
    select * from {{ ref('fct_budget_position') }}
),

contract_status as (
    select * from {{ ref('rpt_contract_status') }}
),

returns_by_quarter as (
    select * from {{ ref('rpt_returns_by_quarter') }}
),

-- every stream's current version of the year together (each stream has its own section in the pack,
-- rpt_stream_allocation); the default stream's version named first
current_versions as (
    select
        versions.commissioner_code,
        versions.financial_year,
        string_agg(
            versions.framework_version, ', '
            order by versions.funding_stream != '{{ var("default_funding_stream") }}', versions.funding_stream
        ) as framework_version,
        min(versions.plan_code) as plan_code,
        count(distinct versions.funding_stream) as funding_streams,
        sum(versions.contracts) as contracts_in_version,
        sum(versions.allocated_gbp) as allocated_gbp
    from versions
    where versions.is_latest
    group by versions.commissioner_code, versions.financial_year
),

-- the returns in force that the sample generator wrote, content unchanged: the pack's banner says so
-- only for a commissioner whose figures rest on them, period by period of its year
sample_returns as (
    select distinct
        contracts.commissioner_code,
        submissions.financial_year,
        periods.period_end
    from {{ ref('int_returns__submissions') }} as submissions
    inner join {{ ref('stg_returns__sample_files') }} as samples
        on samples.path = submissions.path
        and samples.sha256 = submissions.sha256
    inner join {{ ref('stg_framework__contracts') }} as contracts on contracts.contract_id = submissions.contract_id
    inner join calendar as periods on periods.period = submissions.period
    where submissions.is_in_force
),

sample_periods as (
    select distinct
        sample_returns.commissioner_code,
        calendar.period,
        true as has_sample_returns
    from sample_returns
    inner join calendar
        on calendar.financial_year = sample_returns.financial_year
        and calendar.period_end >= sample_returns.period_end
),

-- how the year's contracts report (quarterly, half-yearly, annual, none)
rhythms as (
    select
        commissioner_code,
        financial_year,
        list(distinct reporting_rhythm order by reporting_rhythm) as reporting_rhythms
    from {{ ref('fct_allocation') }}
    where is_current_version
    group by commissioner_code, financial_year
),

-- the printed budget position of the year (a framework document's; a register prints none)
year_budget as (
    select budget.*
    from budget
    inner join versions
        on versions.commissioner_code = budget.commissioner_code
        and versions.framework_version = budget.framework_version
    where versions.is_latest
    qualify row_number() over (
            partition by budget.commissioner_code, versions.financial_year
            order by versions.funding_stream != '{{ var("default_funding_stream") }}', versions.funding_stream
        ) = 1
),

statuses as (
    select
        commissioner_code,
        period,
        count(*) as contracts,
        sum(spend_ytd_gbp) as spend_ytd_gbp,
        sum(profile_ytd_gbp) as profile_ytd_gbp,
        sum(profile_reported_ytd_gbp) as profile_reported_ytd_gbp,
        count(*) filter (where overall_status = 'red') as overall_red,
        count(*) filter (where overall_status = 'amber') as overall_amber,
        count(*) filter (where overall_status = 'green') as overall_green,
        count(*) filter (where overall_status = 'not reported') as overall_not_reported,
        count(*) filter (where finance_rag = 'red') as finance_red,
        count(*) filter (where finance_rag = 'amber') as finance_amber,
        count(*) filter (where finance_rag = 'green') as finance_green,
        count(*) filter (where outcome_rag = 'red') as outcome_red,
        count(*) filter (where outcome_rag = 'amber') as outcome_amber,
        count(*) filter (where outcome_rag = 'green') as outcome_green,
        count(*) filter (where outcome_rag = 'not reported') as outcome_not_reported,
        count(*) filter (where outcome_rag = 'no targets') as outcome_no_targets
    from contract_status
    group by commissioner_code, period
)

select
    current_versions.commissioner_code,
    commissioners.commissioner_name,
    calendar.period,
    calendar.financial_year,
    calendar.period_kind,
    return_periods.period is not null as has_returns_folder,
    calendar.months,
    calendar.due_date,
    return_periods.refreshed_at as returns_loaded_at,
    -- the sample flag is the period's; a commissioner none of whose returns arrived has no sample data to flag
    coalesce(sample_periods.has_sample_returns, false) as is_sample_data,
    current_versions.framework_version,
    current_versions.funding_streams,
    rhythms.reporting_rhythms,
    current_versions.plan_code,
    plans.themes > 0 as plan_has_themes,
    budget.framework_version is not null as has_budget_lines,
    budget.commissioning_budget_gbp,
    budget.reserve_printed_gbp,
    current_versions.allocated_gbp,
    current_versions.contracts_in_version,
    coalesce(statuses.contracts, 0) as contracts_reporting,
    coalesce(statuses.spend_ytd_gbp, 0) as spend_ytd_gbp,
    coalesce(statuses.profile_ytd_gbp, 0) as profile_ytd_gbp,
    coalesce(statuses.profile_reported_ytd_gbp, 0) as profile_reported_ytd_gbp,
    round(statuses.spend_ytd_gbp / nullif(statuses.profile_reported_ytd_gbp, 0), 4) as spend_to_reported_profile_ytd,
    coalesce(returns_by_quarter.returns_expected, 0) as returns_expected,
    coalesce(returns_by_quarter.received_on_time, 0) as received_on_time,
    coalesce(returns_by_quarter.received_late, 0) as received_late,
    coalesce(returns_by_quarter.received_date_unknown, 0) as received_date_unknown,
    coalesce(returns_by_quarter.resubmitted, 0) as resubmitted,
    coalesce(returns_by_quarter.missing, 0) as missing,
    coalesce(statuses.overall_red, 0) as overall_red,
    coalesce(statuses.overall_amber, 0) as overall_amber,
    coalesce(statuses.overall_green, 0) as overall_green,
    coalesce(statuses.overall_not_reported, 0) as overall_not_reported,
    coalesce(statuses.finance_red, 0) as finance_red,
    coalesce(statuses.finance_amber, 0) as finance_amber,
    coalesce(statuses.finance_green, 0) as finance_green,
    coalesce(statuses.outcome_red, 0) as outcome_red,
    coalesce(statuses.outcome_amber, 0) as outcome_amber,
    coalesce(statuses.outcome_green, 0) as outcome_green,
    coalesce(statuses.outcome_not_reported, 0) as outcome_not_reported,
    coalesce(statuses.outcome_no_targets, 0) as outcome_no_targets
from calendar
inner join current_versions on current_versions.financial_year = calendar.financial_year
left join return_periods on return_periods.period = calendar.period
inner join commissioners on commissioners.commissioner_code = current_versions.commissioner_code
left join plans on plans.plan_code = current_versions.plan_code
left join sample_periods
    on sample_periods.commissioner_code = current_versions.commissioner_code
    and sample_periods.period = calendar.period
left join rhythms
    on rhythms.commissioner_code = current_versions.commissioner_code
    and rhythms.financial_year = current_versions.financial_year
left join year_budget as budget
    on budget.commissioner_code = current_versions.commissioner_code
    and budget.financial_year = current_versions.financial_year
left join statuses
    on statuses.commissioner_code = current_versions.commissioner_code
    and statuses.period = calendar.period
left join returns_by_quarter
    on returns_by_quarter.commissioner_code = current_versions.commissioner_code
    and returns_by_quarter.period = calendar.period

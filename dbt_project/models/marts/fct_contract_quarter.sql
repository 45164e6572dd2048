{{ incremental_by_year_config() }}
-- One row per contract and reporting period: what the latest return says (spend and one column
-- per indicator of the catalogue), and the return's status: received, late, resubmitted or
-- missing. A contract expected to report and silent is 'missing', never absent.
{%- set indicator_codes = [] -%}
{%- if execute -%}
    {%- set result = run_query("select upper(trim(indicator_code)) from " ~ source('reference', 'indicators') ~ " order by 1") -%}
    {%- set indicator_codes = result.columns[0].values() -%}
{%- endif %}

with expected as (
    select * from {{ ref('int_returns__expected') }}
    where {{ incremental_years('financial_year') }}
),

submissions as (
    select * from {{ ref('int_returns__submissions') }}
    where {{ incremental_years('financial_year') }}
),

measures as (
    select * from {{ ref('int_returns__latest_measures') }}
    where {{ incremental_years('financial_year') }}
),

latest as (
    select * from submissions
    where is_latest
),

calendar as (
    select * from {{ ref('stg_returns__reporting_periods') }}
),

contract_periods as (
    select
        contract_id,
        period
    from expected
    union
    select
        contract_id,
        period
    from latest
),

pivoted as (
    select
        contract_id,
        period,
        max(value) filter (where measure = 'spend_gbp') as spend_gbp,
        {%- for code in indicator_codes %}
        max(value) filter (where measure = '{{ code }}') as {{ code | lower }},
        {%- endfor %}
        count(*) filter (where measure != 'spend_gbp') as indicators_reported
    from measures
    group by contract_id, period
)

select
    contract_periods.contract_id,
    contract_periods.period,
    calendar.financial_year,
    calendar.quarter_number,
    case
        when latest.contract_id is null then 'missing'
        when latest.submissions > 1 then 'resubmitted'
        when latest.first_received_at::date > calendar.due_date then 'late'
        else 'received'
    end as return_status,
    expected.plan_code,
    expected.contract_id is not null as is_expected,
    latest.contract_id is not null as is_received,
    coalesce(latest.first_received_at::date > calendar.due_date, false) as is_late,
    coalesce(latest.submissions > 1, false) as is_resubmitted,
    calendar.due_date,
    latest.first_received_at,
    latest.received_at as latest_received_at,
    case when latest.contract_id is not null
            then greatest(date_diff('day', calendar.due_date, latest.first_received_at::date), 0)
    end as days_late,
    coalesce(latest.submissions, 0) as submissions,
    latest.path as latest_file,
    latest.received_according_to,
    pivoted.spend_gbp,
    expected.annual_allocated_gbp,
    {%- for code in indicator_codes %}
    pivoted.{{ code | lower }},
    {%- endfor %}
    coalesce(pivoted.indicators_reported, 0) as indicators_reported
from contract_periods
inner join calendar on calendar.period = contract_periods.period
left join expected
    on expected.contract_id = contract_periods.contract_id
    and expected.period = contract_periods.period
left join latest
    on latest.contract_id = contract_periods.contract_id
    and latest.period = contract_periods.period
left join pivoted
    on pivoted.contract_id = contract_periods.contract_id
    and pivoted.period = contract_periods.period

{{ incremental_by_year_config() }}
-- One row per contract and reporting period: what its return says (spend and one column per
-- indicator of the catalogue and the plans: the wide view of marts.fct_indicator_value, each from
-- the latest submission in force that reports it), and the return's status: received, received
-- (date unknown) (loaded after the fact with no log line or date on it), late, resubmitted,
-- resubmission rejected (the latest file cannot be read; the earlier figures stay in force) or
-- missing. Each contract is expected for the periods of its reporting rhythm; a one-off award
-- (rhythm none) never. A contract expected to report and silent is
-- 'missing', never absent. needs_review and return_note say when the figures rest on a choice a
-- person should confirm (files merged, files without a log line, a tie, a date not believed).
-- depends_on: {{ ref('stg_reference__indicators') }}
{%- set indicator_codes = [] -%}
{%- if execute -%}
    {%- set result = run_query("select distinct indicator_code from " ~ ref('stg_reference__indicators') ~ " order by 1") -%}
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

waiting as (
    select
        submissions.contract_id,
        submissions.period,
        string_agg(distinct files.path, ', ' order by files.path) as waiting_files
    from {{ ref('stg_returns__return_files') }} as files
    inner join submissions on submissions.path = files.path
    where files.status = 'waiting'
    group by all
),

judged as (
    select
        contract_id,
        period,
        bool_or(is_rejected_resubmission) as has_rejected_resubmission,
        string_agg(
            case when is_rejected_resubmission then path || ' ' || not_counted_because end, '; ' order by submission_number
        ) as rejected_note,
        count(*) filter (where is_in_force and received_according_to != 'submission log') as unlogged_files_in_force,
        count(*) filter (where is_in_force) as files_in_force,
        count(*) filter (where is_in_force and received_at = last_in_force_at) as files_received_last,
        string_agg(
            distinct case when is_in_force then split_part(received_according_to, ':', 1) end, ', '
            order by case when is_in_force then split_part(received_according_to, ':', 1) end
        ) as evidence_in_force,
        string_agg(case when is_in_force then implausible_date_note end, '; ' order by submission_number) as date_notes,
        string_agg(distinct path_contract_note, '; ' order by path_contract_note) as path_contract_notes
    from (
        select
            *,
            max(received_at) filter (where is_in_force) over (partition by contract_id, period) as last_in_force_at
        from submissions
    ) as marked
    group by contract_id, period
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
    -- a return made for a service group is no contract's: its counts are in fct_indicator_value
    where contract_id not in (select service_group from {{ ref('int_service_groups') }})
),

pivoted as (
    select
        contract_id,
        period,
        max(value) filter (where measure = 'spend_gbp') as spend_gbp,
        {%- for code in indicator_codes %}
        max(value) filter (where measure = '{{ code }}') as {{ code | lower }},
        {%- endfor %}
        count(*) filter (where measure != 'spend_gbp') as indicators_reported,
        count(distinct source_file) as files_used,
        string_agg(distinct source_file, ', ' order by source_file) as source_files
    from measures
    group by contract_id, period
),

noted as (
    select
        contract_periods.contract_id,
        contract_periods.period,
        concat_ws(
            '; ',
            case when judged.has_rejected_resubmission
                    then 'the latest file, ' || judged.rejected_note || '; the figures received '
                        || strftime(latest.received_at, '%d/%m/%Y') || ' (' || latest.path || ') stay in force'
            end,
            case when pivoted.files_used > 1
                    then 'figures merged from ' || pivoted.files_used || ' files (each measure from the latest that reports it): '
                        || pivoted.source_files
            end,
            case when judged.unlogged_files_in_force > 1
                    then judged.unlogged_files_in_force || ' files without a submission log line, ordered by '
                        || judged.evidence_in_force || ': confirm the order with the provider and log both'
            end,
            case when judged.files_received_last > 1
                    then 'files received at the same time by the evidence: which is later is arbitrary; confirm with the provider'
            end,
            judged.date_notes,
            judged.path_contract_notes,
            case when latest.contract_id is not null and pivoted.spend_gbp is null then 'the return reports no spend' end,
            case when waiting.waiting_files is not null
                    then 'a newer file is still being written (' || waiting.waiting_files || '): read at the next refresh'
            end
        ) as return_note,
        coalesce(
            judged.has_rejected_resubmission or pivoted.files_used > 1 or judged.unlogged_files_in_force > 1
            or judged.files_received_last > 1 or judged.date_notes is not null or judged.path_contract_notes is not null
            or (latest.contract_id is not null and pivoted.spend_gbp is null), false
        ) as needs_review
    from contract_periods
    left join judged
        on judged.contract_id = contract_periods.contract_id
        and judged.period = contract_periods.period
    left join latest
        on latest.contract_id = contract_periods.contract_id
        and latest.period = contract_periods.period
    left join pivoted
        on pivoted.contract_id = contract_periods.contract_id
        and pivoted.period = contract_periods.period
    left join waiting
        on waiting.contract_id = contract_periods.contract_id
        and waiting.period = contract_periods.period
)

select
    contract_periods.contract_id,
    contract_periods.period,
    calendar.financial_year,
    calendar.quarter_number,
    calendar.period_kind,
    calendar.months_in_period,
    expected.funding_stream,
    expected.reporting_rhythm,
    case
        when latest.contract_id is null then 'missing'
        when judged.has_rejected_resubmission then 'resubmission rejected'
        when latest.submissions > 1 then 'resubmitted'
        when latest.is_first_received_date_unknown then 'received (date unknown)'
        when latest.first_received_at::date > calendar.due_date then 'late'
        else 'received'
    end as return_status,
    nullif(noted.return_note, '') as return_note,
    noted.needs_review,
    expected.plan_code,
    expected.contract_id is not null as is_expected,
    latest.contract_id is not null as is_received,
    coalesce(latest.first_received_at::date > calendar.due_date and not latest.is_first_received_date_unknown, false)
        as is_late,
    coalesce(latest.is_first_received_date_unknown, false) as is_received_date_unknown,
    coalesce(latest.submissions > 1, false) as is_resubmitted,
    calendar.due_date,
    latest.first_received_at,
    latest.received_at as latest_received_at,
    case when latest.contract_id is not null and not latest.is_first_received_date_unknown
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
    coalesce(pivoted.indicators_reported, 0) as indicators_reported,
    coalesce(pivoted.files_used, 0) as files_used
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
left join judged
    on judged.contract_id = contract_periods.contract_id
    and judged.period = contract_periods.period
left join noted
    on noted.contract_id = contract_periods.contract_id
    and noted.period = contract_periods.period

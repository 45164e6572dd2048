-- Per commissioner and period: everything that needs the commissioner's attention, one sentence
-- each, worst first: spend off profile, returns missing (this quarter or still missing from an
-- earlier one), not readable or late, indicators below their pro-rata target, framework
-- versions held back and discrepancies in the published framework.
with contract_status as (
    select * from {{ ref('rpt_contract_status') }}
),

indicator_progress as (
    select * from {{ ref('rpt_indicator_progress') }}
),

data_quality as (
    select * from {{ ref('rpt_data_quality') }}
),

pack_periods as (
    select distinct
        commissioner_code,
        period,
        financial_year
    from contract_status
),

named as (
    select
        *,
        initiative_name || ' (' || contract_id || ', ' || provider || ')' as contract_named
    from contract_status
),

finance_items as (
    select
        commissioner_code,
        period,
        financial_year,
        contract_id,
        finance_rag as severity,
        case when spend_to_reported_profile_ytd > 1 then 'overspend' else 'underspend' end as kind,
        contract_named || ': spent ' || format('£{:,.0f}', spend_ytd_gbp::double) || ' to date, '
        || (round(100 * spend_to_reported_profile_ytd))::integer || '% of its profile of '
        || format('£{:,.0f}', profile_reported_ytd_gbp::double)
        || case when spend_to_reported_profile_ytd > 1 then ' (' || format('£{:,.0f}', variance_ytd_gbp::double) || ' over)'
            else ' (' || format('£{:,.0f}', -variance_ytd_gbp::double) || ' under)'
        end as attention,
        abs(spend_to_reported_profile_ytd - 1) as magnitude
    from named
    where finance_rag in ('red', 'amber')
),

missing_returns as (
    -- a return still missing from an earlier quarter of the year is as much the commissioner's concern
    select
        pack_periods.commissioner_code,
        pack_periods.period,
        pack_periods.financial_year,
        named.contract_id,
        named.contract_named,
        named.period as missing_period,
        named.due_date
    from pack_periods
    inner join named
        on named.commissioner_code = pack_periods.commissioner_code
        and named.financial_year = pack_periods.financial_year
        and named.period <= pack_periods.period
    where named.return_status = 'missing'
),

missing_by_contract as (
    select
        commissioner_code,
        period,
        financial_year,
        contract_id,
        any_value(contract_named) as contract_named,
        list(missing_period order by missing_period) as missing_periods,
        min(due_date) as first_due_date,
        count(*) as missing
    from missing_returns
    group by commissioner_code, period, financial_year, contract_id
),

missing_items as (
    -- one line per contract: its missing returns of the year named together ('Q1, Q2, Q3 or Q4')
    select
        commissioner_code,
        period,
        financial_year,
        contract_id,
        'red' as severity,
        'missing return' as kind,
        contract_named || ': no return for ' || missing_periods[1]
        || case
            when missing = 1
                then ' (due ' || strftime(first_due_date, '%-d %B %Y') || ')'
                    || case when missing_periods[1] < period then ', still missing' else '' end
            else
                coalesce(
                    ', ' || nullif(array_to_string(
                        list_transform(missing_periods[2:missing - 1], lambda p: replace(p, financial_year || ' ', '')), ', '
                    ), ''),
                    ''
                )
                || ' or ' || replace(missing_periods[missing], financial_year || ' ', '')
                || ' (' || missing || ' returns missing, the first due ' || strftime(first_due_date, '%-d %B %Y') || ')'
        end as attention,
        missing::double as magnitude
    from missing_by_contract
),

return_items as (
    select
        commissioner_code,
        period,
        financial_year,
        contract_id,
        case when return_status in ('late', 'resubmission rejected') then 'amber' else 'note' end as severity,
        case return_status
            when 'late' then 'late return'
            when 'resubmission rejected' then 'resubmission rejected'
            else 'resubmitted return'
        end as kind,
        contract_named || case return_status
            when 'late'
                then ': the ' || period || ' return arrived ' || days_late || ' days late, on '
                    || strftime(first_received_on, '%-d %B %Y')
            when 'resubmission rejected'
                then ': a resubmitted ' || period || ' return could not be used; the earlier figures stay in force'
                    || coalesce(' (' || return_note || ')', '')
            else ': the ' || period || ' return was sent ' || submissions || ' times; the latest is used'
        end as attention,
        coalesce(days_late, 0) as magnitude
    from named
    where return_status in ('late', 'resubmitted', 'resubmission rejected')
),

review_items as (
    -- figures in force that a person should look at before they are quoted
    select
        commissioner_code,
        period,
        financial_year,
        contract_id,
        'amber' as severity,
        'return needs review' as kind,
        contract_named || ': the ' || period || ' return needs review: ' || return_note as attention,
        0.0 as magnitude
    from named
    where return_needs_review and return_status != 'resubmission rejected'
),

indicator_items as (
    -- one line per contract, its indicators below target worst first (the figures are on its page)
    select
        indicator_progress.commissioner_code,
        indicator_progress.period,
        indicator_progress.financial_year,
        indicator_progress.contract_id,
        case when bool_or(indicator_progress.rag_status = 'red') then 'red' else 'amber' end as severity,
        'below target' as kind,
        any_value(named.contract_named) || ': ' || count(*) || case when count(*) = 1 then ' indicator' else ' indicators' end
        || ' below the pro-rata target to date: '
        || string_agg(
            indicator_progress.indicator_name || ' ' || (round(100 * indicator_progress.achievement_ytd))::integer || '%',
            ', ' order by indicator_progress.achievement_ytd, indicator_progress.indicator_code
        ) as attention,
        1 - min(indicator_progress.achievement_ytd) as magnitude
    from indicator_progress
    inner join named
        on named.contract_id = indicator_progress.contract_id
        and named.period = indicator_progress.period
    where indicator_progress.rag_status in ('red', 'amber') and indicator_progress.kind = 'outcome'
    group by
        indicator_progress.commissioner_code, indicator_progress.period, indicator_progress.financial_year,
        indicator_progress.contract_id
),

file_items as (
    -- a file that names no known commissioner's contract is listed for every commissioner: someone must see it
    select
        pack_periods.commissioner_code,
        pack_periods.period,
        pack_periods.financial_year,
        null::varchar as contract_id,
        case when data_quality.category = 'return file not read' then 'red' else 'amber' end as severity,
        data_quality.category as kind,
        case when data_quality.category = 'return file not read' then any_value(data_quality.finding)
            else count(*) || ' row' || case when count(*) > 1 then 's' else '' end || ' of '
                || regexp_extract(data_quality.example, '[^/]+$') || ' (' || pack_periods.period || ') not loaded: '
                || string_agg(
                    distinct regexp_replace(data_quality.finding, '^.*was not loaded: ', ''), '; '
                    order by regexp_replace(data_quality.finding, '^.*was not loaded: ', '')
                )
        end as attention,
        count(*) as magnitude
    from pack_periods
    inner join data_quality
        on (data_quality.commissioner_code = pack_periods.commissioner_code or data_quality.commissioner_code is null)
        and data_quality.period = pack_periods.period
    where data_quality.category in ('return file not read', 'return row not loaded')
    group by
        pack_periods.commissioner_code, pack_periods.period, pack_periods.financial_year, data_quality.category,
        data_quality.example
),

framework_items as (
    select
        pack_periods.commissioner_code,
        pack_periods.period,
        pack_periods.financial_year,
        null::varchar as contract_id,
        case when data_quality.category = 'framework version held back' then 'red' else 'note' end as severity,
        data_quality.category as kind,
        case when data_quality.category = 'framework version held back' then any_value(data_quality.finding)
            else 'The published ' || pack_periods.financial_year || ' framework disagrees with itself in '
                || sum(data_quality.items) || case when sum(data_quality.items) = 1 then ' place' else ' places' end
                || '; each is conformed and listed under Data quality'
        end as attention,
        sum(data_quality.items) as magnitude
    from pack_periods
    inner join data_quality
        on data_quality.commissioner_code = pack_periods.commissioner_code
        and data_quality.financial_year = pack_periods.financial_year
        and data_quality.period is null
    group by
        pack_periods.commissioner_code, pack_periods.period, pack_periods.financial_year, data_quality.category,
        case when data_quality.category = 'framework version held back' then data_quality.framework_versions end
),

items as (
    select * from finance_items
    union all
    select * from missing_items
    union all
    select * from return_items
    union all
    select * from review_items
    union all
    select * from indicator_items
    union all
    select * from file_items
    union all
    select * from framework_items
)

select
    items.commissioner_code,
    items.period,
    items.financial_year,
    items.contract_id,
    items.severity,
    items.kind,
    items.attention,
    row_number() over (
        partition by items.commissioner_code, items.period
        order by
            case items.severity when 'red' then 1 when 'amber' then 2 else 3 end,
            case items.kind
                when 'framework version held back' then 1
                when 'overspend' then 2
                when 'missing return' then 3
                when 'return file not read' then 4
                when 'resubmission rejected' then 5
                when 'below target' then 6
                when 'underspend' then 7
                when 'return needs review' then 8
                when 'late return' then 9
                when 'return row not loaded' then 10
                when 'resubmitted return' then 11
                else 12
            end,
            items.magnitude desc,
            items.contract_id asc,
            items.attention asc
    ) as attention_order
from items

{{ incremental_by_year_config() }}
-- The contract-management view, and the one home of a contract's status: per contract and
-- reporting period, spend against profile (finance RAG), its outcome indicators against target
-- (outcome RAG), its return's status, the overall status (the worse of the two) and the exceptions
-- a commissioner acts on, in words. The attention list, the contract table and pages, the tiles,
-- the XLSX and the quality checks all read these columns. The outcome RAG comes only from outcome
-- indicators with a target; a contract with none has outcome status 'no targets' (its finance RAG
-- still counts). Activities and outputs below target are notes under the contract, never a colour.
with quarters as (
    select * from {{ ref('fct_contract_quarter') }}
    where {{ incremental_years('financial_year') }}
),

indicators as (
    select * from {{ ref('fct_indicator_performance') }}
    where {{ incremental_years('financial_year') }}
),

contracts as (
    select * from {{ ref('dim_contract') }}
),

spend as (
    select
        *,
        -- the period's share of the year: a quarter's, a half's, or (an annual return) the whole year's
        annual_allocated_gbp * months_in_period / 12 as profile_gbp,
        sum(coalesce(spend_gbp, 0)) over running as spend_ytd_gbp,
        annual_allocated_gbp * quarter_number / 4 as profile_ytd_gbp,
        -- A missing return says nothing about spend: the finance RAG compares spend with the
        -- profile of the periods that were reported, and the missing return is its own exception.
        sum(case when is_received then annual_allocated_gbp * months_in_period / 12 else 0 end) over running
            as profile_reported_ytd_gbp
    from quarters
    window running as (
        partition by contract_id, financial_year, period_kind order by period rows between unbounded preceding and current row
    )
),

rag as (
    select
        contract_id,
        period,
        -- counts of the outcome indicators with a target: what the outcome RAG is made of
        count(*) filter (where rag_status = 'green' and kind = 'outcome') as indicators_green,
        count(*) filter (where rag_status = 'amber' and kind = 'outcome') as indicators_amber,
        count(*) filter (where rag_status = 'red' and kind = 'outcome') as indicators_red,
        count(*) filter (where rag_status = 'not reported') as indicators_not_reported,
        count(*) filter (where rag_status = 'no target') as indicators_without_target,
        count(*) filter (where has_target and kind = 'outcome') as outcome_targets,
        -- The contract's outcome RAG is its worst outcome indicator with a target.
        max(case rag_status when 'red' then 3 when 'amber' then 2 when 'green' then 1 end) filter (where kind = 'outcome')
            as worst,
        list(
            'under target: ' || indicator_name || ' (' || indicator_code || ') at '
            || cast(round(100 * achievement_ytd) as integer) || '% of target to date'
            order by achievement_ytd, indicator_code
        ) filter (where rag_status = 'red' and kind = 'outcome'
        ) as under_target,
        list(
            'below target: ' || indicator_name || ' (' || indicator_code || ') at '
            || cast(round(100 * achievement_ytd) as integer) || '% of target to date'
            order by achievement_ytd, indicator_code
        ) filter (where rag_status = 'amber' and kind = 'outcome'
        ) as below_target,
        list(
            'note: ' || kind || ' below target: ' || indicator_name || ' (' || indicator_code || ') at '
            || cast(round(100 * achievement_ytd) as integer) || '% of target to date'
            order by achievement_ytd, indicator_code
        ) filter (where rag_status in ('red', 'amber') and kind != 'outcome'
        ) as shortfall_notes,
        list(indicator_code order by indicator_code) filter (where missed_by_more_than_half) as missed_by_half
    from indicators
    group by contract_id, period
),

finance as (
    select
        contract_id,
        period,
        spend_ytd_gbp / nullif(profile_reported_ytd_gbp, 0) as spend_to_reported_profile,
        case
            when return_status = 'missing' or profile_reported_ytd_gbp = 0 then 'not reported'
            when spend_ytd_gbp > profile_reported_ytd_gbp * {{ var('finance_red_above') }} then 'red'
            when spend_ytd_gbp < profile_reported_ytd_gbp * {{ var('finance_red_below') }} then 'red'
            when spend_ytd_gbp > profile_reported_ytd_gbp * {{ var('finance_amber_above') }} then 'amber'
            when spend_ytd_gbp < profile_reported_ytd_gbp * {{ var('finance_amber_below') }} then 'amber'
            else 'green'
        end as finance_rag
    from spend
),

statuses as (
    select
        spend.contract_id,
        spend.period,
        finance.finance_rag,
        finance.spend_to_reported_profile,
        case
            when spend.return_status = 'missing' then 'not reported'
            when coalesce(rag.outcome_targets, 0) = 0 then 'no targets'
            when rag.worst = 3 then 'red'
            when rag.worst = 2 then 'amber'
            when rag.worst = 1 then 'green'
            else 'not reported'
        end as rag_status
    from spend
    left join rag using (contract_id, period)
    left join finance using (contract_id, period)
)

select
    spend.contract_id,
    spend.period,
    spend.financial_year,
    spend.period_kind,
    spend.funding_stream,
    spend.reporting_rhythm,
    contracts.initiative_name,
    contracts.provider,
    contracts.theme_code,
    contracts.strategic_theme,
    contracts.funding_mechanism,
    spend.return_status,
    spend.days_late,
    spend.annual_allocated_gbp,
    spend.spend_gbp,
    cast(round(spend.profile_gbp, 2) as decimal(14, 2)) as profile_gbp,
    cast(round(spend.spend_ytd_gbp, 2) as decimal(14, 2)) as spend_ytd_gbp,
    cast(round(spend.profile_ytd_gbp, 2) as decimal(14, 2)) as profile_ytd_gbp,
    cast(round(spend.profile_reported_ytd_gbp, 2) as decimal(14, 2)) as profile_reported_ytd_gbp,
    round(spend.spend_ytd_gbp / nullif(spend.profile_ytd_gbp, 0), 4) as spend_to_profile_ytd,
    coalesce(rag.indicators_green, 0) as indicators_green,
    coalesce(rag.indicators_amber, 0) as indicators_amber,
    coalesce(rag.indicators_red, 0) as indicators_red,
    coalesce(rag.indicators_not_reported, 0) as indicators_not_reported,
    coalesce(rag.indicators_without_target, 0) as indicators_without_target,
    cast(round(statuses.spend_to_reported_profile, 4) as decimal(10, 4)) as spend_to_reported_profile_ytd,
    statuses.rag_status,
    statuses.finance_rag,
    -- The worse of the two: a contract on target but overspent needs attention as much as one under
    -- target. 'no targets' is no colour: the finance RAG alone decides.
    case greatest(
        case statuses.rag_status when 'red' then 4 when 'amber' then 3 when 'not reported' then 2 else 1 end,
        case statuses.finance_rag when 'red' then 4 when 'amber' then 3 when 'not reported' then 2 else 1 end
    )
        when 4 then 'red' when 3 then 'amber' when 2 then 'not reported' else 'green'
    end as overall_status,
    list_filter(
        [
            case when spend.return_status = 'missing' then 'missing return' end,
            case when spend.is_late then 'late return (' || spend.days_late || ' days)' end,
            case when spend.is_resubmitted then 'resubmitted (' || spend.submissions || ' returns)' end,
            case when spend.return_status = 'resubmission rejected' then 'resubmission rejected: earlier figures in force' end,
            case when spend.needs_review then 'return needs review: ' || spend.return_note end,
            case when statuses.finance_rag in ('red', 'amber')
                    then case
                            when statuses.spend_to_reported_profile > 1 and statuses.finance_rag = 'red' then 'overspent: '
                            when statuses.spend_to_reported_profile > 1 then 'ahead of profile: '
                            when statuses.finance_rag = 'red' then 'underspent: '
                            else 'behind profile: '
                        end
                        || cast(round(100 * statuses.spend_to_reported_profile) as integer) || '% of profile to date'
            end
        ] || coalesce(rag.under_target, []) || coalesce(rag.below_target, []) || coalesce(rag.shortfall_notes, []),
        lambda e: e is not null
    ) as exceptions,
    coalesce(rag.missed_by_half, []) as targets_missed_by_more_than_half
from spend
left join rag using (contract_id, period)
left join statuses using (contract_id, period)
left join contracts using (contract_id)

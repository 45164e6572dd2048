{{ incremental_by_year_config() }}
-- The contract-management view: per contract and reporting period, spend against profile, its
-- indicators against target (RAG), its return's status, and the exceptions a commissioner acts
-- on (missing, late, resubmitted, overspent, under target).
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
        annual_allocated_gbp / 4 as profile_gbp,
        sum(coalesce(spend_gbp, 0)) over running as spend_ytd_gbp,
        annual_allocated_gbp * quarter_number / 4 as profile_ytd_gbp
    from quarters
    window running as (partition by contract_id, financial_year order by period rows between unbounded preceding and current row)
),

rag as (
    select
        contract_id,
        period,
        count(*) filter (where rag_status = 'green') as indicators_green,
        count(*) filter (where rag_status = 'amber') as indicators_amber,
        count(*) filter (where rag_status = 'red') as indicators_red,
        count(*) filter (where rag_status = 'not reported') as indicators_not_reported,
        -- The contract's RAG is its worst outcome indicator (its worst indicator if it reports no outcomes).
        coalesce(
            max(case rag_status when 'red' then 3 when 'amber' then 2 when 'green' then 1 end) filter (where kind = 'outcome'),
            max(case rag_status when 'red' then 3 when 'amber' then 2 when 'green' then 1 end)
        ) as worst,
        list(
            'under target: ' || indicator_code || ' (' || cast(round(100 * achievement_ytd) as integer) || '% of target to date)'
            order by indicator_code
        ) filter (where rag_status = 'red'
        ) as under_target,
        list(indicator_code order by indicator_code) filter (where missed_by_more_than_half) as missed_by_half
    from indicators
    group by contract_id, period
)

select
    spend.contract_id,
    spend.period,
    spend.financial_year,
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
    round(spend.spend_ytd_gbp / nullif(spend.profile_ytd_gbp, 0), 4) as spend_to_profile_ytd,
    coalesce(rag.indicators_green, 0) as indicators_green,
    coalesce(rag.indicators_amber, 0) as indicators_amber,
    coalesce(rag.indicators_red, 0) as indicators_red,
    coalesce(rag.indicators_not_reported, 0) as indicators_not_reported,
    case
        when spend.return_status = 'missing' then 'not reported'
        when rag.worst = 3 then 'red'
        when rag.worst = 2 then 'amber'
        when rag.worst = 1 then 'green'
        else 'not reported'
    end as rag_status,
    list_filter(
        [
            case when spend.return_status = 'missing' then 'missing return' end,
            case when spend.is_late then 'late return (' || spend.days_late || ' days)' end,
            case when spend.is_resubmitted then 'resubmitted (' || spend.submissions || ' returns)' end,
            case when spend.return_status = 'resubmission rejected' then 'resubmission rejected: earlier figures in force' end,
            case when spend.needs_review then 'return needs review: ' || spend.return_note end,
            case when spend.spend_ytd_gbp > spend.profile_ytd_gbp * {{ var('overspend_warning_ratio') }}
                    then 'overspent: '
                        || cast(round(100 * spend.spend_ytd_gbp / spend.profile_ytd_gbp) as integer)
                        || '% of profile to date'
            end
        ] || coalesce(rag.under_target, []),
        lambda e: e is not null
    ) as exceptions,
    coalesce(rag.missed_by_half, []) as targets_missed_by_more_than_half
from spend
left join rag using (contract_id, period)
left join contracts using (contract_id)

-- Per commissioner, contract and period: the row of the pack's contract table, and the spend and
-- return history of its contract page. Statuses are ranked so the worst sorts first.
with performance as (
    select * from {{ ref('fct_contract_performance') }}
),

quarters as (
    select * from {{ ref('fct_contract_quarter') }}
),

contracts as (
    select * from {{ ref('dim_contract') }}
)

select
    contracts.commissioner_code,
    performance.contract_id,
    performance.period,
    performance.financial_year,
    quarters.quarter_number,
    performance.initiative_name,
    performance.provider,
    performance.strategic_theme,
    performance.funding_mechanism,
    array_to_string(contracts.primary_priorities, ', ') as primary_priorities,
    contracts.secondary_priority,
    performance.return_status,
    quarters.due_date,
    quarters.first_received_at::date as first_received_on,
    quarters.latest_received_at::date as latest_received_on,
    performance.days_late,
    quarters.submissions,
    quarters.received_according_to,
    quarters.needs_review as return_needs_review,
    quarters.return_note,
    performance.annual_allocated_gbp,
    performance.spend_gbp,
    performance.profile_gbp,
    performance.spend_ytd_gbp,
    performance.profile_ytd_gbp,
    performance.profile_reported_ytd_gbp,
    performance.spend_to_reported_profile_ytd,
    performance.spend_ytd_gbp - performance.profile_reported_ytd_gbp as variance_ytd_gbp,
    performance.indicators_green,
    performance.indicators_amber,
    performance.indicators_red,
    performance.indicators_not_reported,
    performance.finance_rag,
    performance.rag_status as outcome_rag,
    performance.overall_status,
    case performance.overall_status when 'red' then 1 when 'amber' then 2 when 'not reported' then 3 else 4 end as status_order,
    len(performance.exceptions) as exception_count,
    coalesce(nullif(array_to_string(performance.exceptions, '; '), ''), 'none') as exceptions
from performance
inner join contracts on contracts.contract_id = performance.contract_id
inner join quarters
    on quarters.contract_id = performance.contract_id
    and quarters.period = performance.period

-- Per commissioner, quarter and subject (the commissioner as a whole, each strategic priority's headline
-- outcome, each contract): spend, outcomes, cost per outcome and status this quarter beside the previous
-- quarter and the same quarter a year earlier, and the change. A subject with nothing in the earlier
-- quarter has no change (null), never a change from zero; outcomes are counted per priority's headline
-- outcome only (different measures are never added together).
with quarters as (
    select * from {{ ref('stg_returns__reporting_periods') }}
    where period_kind = 'quarter'
),

contract_status as (
    select * from {{ ref('rpt_contract_status') }}
),

priority_cost as (
    select * from {{ ref('rpt_cost_per_outcome') }}
    where period_basis = 'quarter' and is_headline
),

subjects as (
    select
        commissioner_code,
        period,
        'commissioner' as level,
        commissioner_code as subject,
        cast(null as varchar) as subject_name,
        cast(null as integer) as subject_order,
        sum(spend_gbp) as spend_gbp,
        cast(null as double) as outcome_value,
        cast(null as double) as cost_per_outcome_gbp,
        cast(null as varchar) as status,
        count(*) filter (where overall_status = 'red') as contracts_red
    from contract_status
    group by commissioner_code, period
    union all
    select
        commissioner_code,
        period,
        'priority' as level,
        strategic_priority as subject,
        priority_name || ': ' || indicator_name as subject_name,
        priority_number as subject_order,
        attributed_spend_gbp as spend_gbp,
        outcome_value,
        cost_per_outcome_gbp,
        cast(null as varchar) as status,
        cast(null as bigint) as contracts_red
    from priority_cost
    union all
    select
        commissioner_code,
        period,
        'contract' as level,
        contract_id as subject,
        initiative_name as subject_name,
        cast(null as integer) as subject_order,
        spend_gbp,
        cast(null as double) as outcome_value,
        cast(null as double) as cost_per_outcome_gbp,
        overall_status as status,
        cast(null as bigint) as contracts_red
    from contract_status
),

placed as (
    select
        subjects.*,
        quarters.financial_year,
        quarters.period_start,
        case subjects.status when 'red' then 1 when 'amber' then 2 when 'green' then 3 end as status_rank
    from subjects
    inner join quarters on quarters.period = subjects.period
),

compared as (
    select
        this.*,
        previous.period as previous_period,
        previous.spend_gbp as previous_spend_gbp,
        previous.outcome_value as previous_outcome_value,
        previous.cost_per_outcome_gbp as previous_cost_per_outcome_gbp,
        previous.status as previous_status,
        previous.status_rank as previous_status_rank,
        previous.contracts_red as previous_contracts_red,
        year_before.period as year_before_period,
        year_before.spend_gbp as year_before_spend_gbp,
        year_before.outcome_value as year_before_outcome_value,
        year_before.cost_per_outcome_gbp as year_before_cost_per_outcome_gbp,
        year_before.status as year_before_status,
        year_before.status_rank as year_before_status_rank,
        year_before.contracts_red as year_before_contracts_red
    from placed as this
    left join placed as previous
        on previous.commissioner_code = this.commissioner_code
        and previous.level = this.level
        and previous.subject = this.subject
        and previous.period_start = this.period_start - interval 3 month
    left join placed as year_before
        on year_before.commissioner_code = this.commissioner_code
        and year_before.level = this.level
        and year_before.subject = this.subject
        and year_before.period_start = this.period_start - interval 1 year
)

select
    commissioner_code,
    period,
    financial_year,
    level,
    subject,
    subject_name,
    subject_order,
    spend_gbp,
    outcome_value,
    cost_per_outcome_gbp,
    status,
    contracts_red,
    previous_period,
    round(spend_gbp - previous_spend_gbp, 2) as spend_change_gbp,
    round(spend_gbp / nullif(previous_spend_gbp, 0) - 1, 4) as spend_change_ratio,
    round(outcome_value - previous_outcome_value, 2) as outcome_change,
    round(cost_per_outcome_gbp - previous_cost_per_outcome_gbp, 2) as cost_per_outcome_change_gbp,
    contracts_red - previous_contracts_red as contracts_red_change,
    previous_status,
    case
        when status_rank > previous_status_rank then 'up'
        when status_rank < previous_status_rank then 'down'
        when status_rank = previous_status_rank then 'same'
    end as status_moved,
    year_before_period,
    round(spend_gbp - year_before_spend_gbp, 2) as spend_change_on_year_gbp,
    round(spend_gbp / nullif(year_before_spend_gbp, 0) - 1, 4) as spend_change_on_year_ratio,
    round(outcome_value - year_before_outcome_value, 2) as outcome_change_on_year,
    round(cost_per_outcome_gbp - year_before_cost_per_outcome_gbp, 2) as cost_per_outcome_change_on_year_gbp,
    contracts_red - year_before_contracts_red as contracts_red_change_on_year,
    year_before_status,
    case
        when status_rank > year_before_status_rank then 'up'
        when status_rank < year_before_status_rank then 'down'
        when status_rank = year_before_status_rank then 'same'
    end as status_moved_on_year,
    case level when 'commissioner' then 1 when 'priority' then 2 else 3 end as level_order
from compared

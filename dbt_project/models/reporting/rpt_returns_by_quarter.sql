-- Per commissioner and period: how many returns were expected, and how many came in on time,
-- late, resubmitted, or not at all.
with quarters as (
    select * from {{ ref('fct_contract_quarter') }}
),

contracts as (
    select * from {{ ref('dim_contract') }}
)

select
    contracts.commissioner_code,
    quarters.period,
    quarters.financial_year,
    count(*) as returns_expected,
    count(*) filter (where quarters.return_status = 'received') as received_on_time,
    count(*) filter (where quarters.return_status = 'received (date unknown)') as received_date_unknown,
    count(*) filter (where quarters.return_status = 'late') as received_late,
    -- a rejected resubmission is still a resubmission: the earlier figures stay in force
    count(*) filter (where quarters.return_status in ('resubmitted', 'resubmission rejected')) as resubmitted,
    count(*) filter (where quarters.return_status = 'missing') as missing
from quarters
inner join contracts on contracts.contract_id = quarters.contract_id
group by all

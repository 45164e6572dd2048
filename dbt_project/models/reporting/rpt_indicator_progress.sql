{{ incremental_by_year_config() }}
-- Per commissioner, contract, period and indicator: the figure reported, the figure to date and
-- the pro-rata target to date, for the contract pages; rebuilt by financial year, as the mart it reads.
with indicators as (
    select * from {{ ref('fct_indicator_performance') }}
    where {{ incremental_years('financial_year') }}
),

contracts as (
    select * from {{ ref('dim_contract') }}
)

select
    contracts.commissioner_code,
    indicators.contract_id,
    indicators.period,
    indicators.financial_year,
    indicators.indicator_code,
    indicators.indicator_name,
    indicators.unit,
    indicators.kind,
    indicators.better,
    indicators.is_headline,
    indicators.value,
    indicators.value_ytd,
    indicators.target_ytd,
    indicators.achievement_ytd,
    indicators.rag_status
from indicators
inner join contracts on contracts.contract_id = indicators.contract_id

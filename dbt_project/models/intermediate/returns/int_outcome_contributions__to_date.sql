{{ incremental_by_year_config() }}
-- The contributions counted in each period: the quarter itself, and year to date (every quarter
-- of the financial year up to and including it). Year-to-date figures are sums of quarterly
-- figures, so a quarter and its year to date always agree.
with contributions as (
    select * from {{ ref('int_outcome_contributions') }}
    where {{ incremental_years('financial_year') }}
),

periods as (
    select * from {{ ref('int_returns__periods') }}
)

select
    contributions.*,
    contributions.period as reporting_period,
    'quarter' as period_basis
from contributions

union all

select
    contributions.*,
    periods.period as reporting_period,
    'year_to_date' as period_basis
from contributions
inner join periods
    on periods.financial_year = contributions.financial_year
    and periods.quarter_number >= contributions.quarter_number

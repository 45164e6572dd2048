-- A view: every cost-per-outcome mart reads it once, filtered to the years it rebuilds, and
-- computing the year-to-date rows as they are read costs a fraction of writing 3 million rows of
-- them (national scale) on every refresh.
{{ config(materialized='view') }}
-- The contributions counted in each period: the period itself (period_basis 'quarter', 'half_year'
-- or 'year', by the rhythm its contracts report in), and for quarters and half-years the year to
-- date (every period of the same kind of the financial year up to and including it). Year-to-date
-- figures are sums of the periods', so a period and its year to date always agree.
with contributions as (
    select * from {{ ref('int_outcome_contributions') }}
),

periods as (
    select * from {{ ref('int_returns__periods') }}
)

select
    contributions.*,
    contributions.period as reporting_period,
    {{ period_basis_of('contributions.period_kind') }} as period_basis
from contributions

union all

select
    contributions.*,
    periods.period as reporting_period,
    'year_to_date' as period_basis
from contributions
inner join periods
    on periods.financial_year = contributions.financial_year
    and periods.period_kind = contributions.period_kind
    and periods.quarter_number >= contributions.quarter_number
where contributions.period_kind in ('quarter', 'half-year')

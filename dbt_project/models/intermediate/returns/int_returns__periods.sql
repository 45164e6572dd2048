-- The reporting periods that have a returns folder, with their dates and deadline from the calendar.
with periods as (
    select * from {{ ref('stg_returns__return_periods') }}
),

calendar as (
    select * from {{ ref('stg_returns__reporting_periods') }}
)

select
    periods.period,
    calendar.financial_year,
    calendar.quarter_number,
    calendar.period_kind,
    calendar.reporting_rhythm,
    calendar.months_in_period,
    calendar.period_start,
    calendar.period_end,
    calendar.due_date,
    calendar.months,
    periods.files_in_folder,
    periods.is_sample_data
from periods
inner join calendar on calendar.period = periods.period

-- Which returns are expected: every contract funded by the current (latest published) version of
-- its commissioner's financial year and funding stream, for every reporting period of that year that
-- has a returns folder and is of the contract's reporting rhythm (a quarterly contract reports for
-- quarters, a half-yearly one for halves, an annual one for the year; one with rhythm none, a
-- one-off award, is never expected to report).
with lines as (
    select * from {{ ref('int_framework_lines') }}
),

versions as (
    select * from {{ ref('int_framework_versions__published') }}
    where is_current
),

periods as (
    select * from {{ ref('int_returns__periods') }}
)

select
    lines.contract_id,
    lines.commissioner_code,
    versions.funding_stream,
    versions.plan_code,
    periods.period,
    periods.financial_year,
    periods.quarter_number,
    periods.period_kind,
    periods.months_in_period,
    lines.reporting_rhythm,
    periods.period_start,
    periods.period_end,
    periods.due_date,
    lines.framework_version,
    lines.allocated_gbp as annual_allocated_gbp
from versions
inner join lines
    on lines.commissioner_code = versions.commissioner_code
    and lines.framework_version = versions.framework_version
inner join periods
    on periods.financial_year = versions.financial_year
    and periods.reporting_rhythm = lines.reporting_rhythm

-- Which returns are expected: every contract funded by the latest framework version of a
-- financial year, for every reporting period of that year that has a returns folder.
with lines as (
    select * from {{ ref('int_framework_lines') }}
),

versions as (
    select * from {{ ref('stg_framework__framework_versions') }}
),

periods as (
    select * from {{ ref('stg_returns__return_periods') }}
),

latest_versions as (
    select *
    from versions
    qualify row_number() over (partition by commissioner_code, financial_year order by version_number desc) = 1
)

select
    lines.contract_id,
    lines.commissioner_code,
    periods.period,
    periods.financial_year,
    periods.period_start,
    periods.period_end,
    periods.due_date,
    lines.framework_version,
    lines.allocated_gbp as annual_allocated_gbp
from latest_versions
inner join lines on lines.framework_version = latest_versions.framework_version
inner join periods on periods.financial_year = latest_versions.financial_year

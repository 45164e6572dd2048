-- One row per contract of the registry: its conformed attributes as the latest published framework
-- version that funds it prints them (under that version's plan), and the versions it appears in. A
-- contract no published version funds (its only version was held back) keeps its registry name and
-- provider, with no version.
with allocation as (
    select * from {{ ref('fct_allocation') }}
),

lines as (
    select * from {{ ref('int_framework_lines') }}
),

versions as (
    select * from {{ ref('dim_framework_version') }}
),

priorities as (
    select * from {{ ref('int_allocation_lines__priorities') }}
),

contracts as (
    select * from {{ ref('int_contracts__conformed') }}
),

ordered as (
    select
        allocation.*,
        versions.version_number,
        row_number() over (
            partition by allocation.contract_id order by versions.financial_year desc, versions.version_number desc
        ) as recency,
        list(allocation.framework_version order by versions.financial_year, versions.version_number) over (
            partition by allocation.contract_id
            rows between unbounded preceding and unbounded following
        ) as framework_versions
    from allocation
    inner join versions
        on versions.commissioner_code = allocation.commissioner_code
        and versions.framework_version = allocation.framework_version
),

latest as (
    select * from ordered
    where recency = 1
),

latest_versions as (
    select
        commissioner_code,
        max(financial_year) as financial_year
    from versions
    where is_latest
    group by commissioner_code
)

select
    contracts.contract_id,
    contracts.commissioner_code,
    latest.plan_code,
    latest.theme_code,
    latest.strategic_theme,
    contracts.initiative_name,
    contracts.description,
    coalesce(latest.provider, contracts.provider) as provider,
    coalesce(lines.provider_printed, contracts.provider_printed) as provider_printed,
    latest.mechanism_code,
    latest.funding_mechanism,
    latest.mechanism_class,
    priorities.primary_priorities,
    priorities.secondary_priority,
    latest.primary_priority_printed,
    latest.secondary_priority_printed,
    lines.geographical_reach,
    latest.community_safety_partnership,
    latest.funding_stream,
    coalesce(latest.reporting_rhythm, '{{ var("default_reporting_rhythm") }}') as reporting_rhythm,
    contracts.first_framework_version,
    latest.framework_version as latest_framework_version,
    latest.framework_versions,
    coalesce(latest.is_current_version and latest.financial_year = latest_versions.financial_year, false) as in_latest_version
from contracts
left join latest on latest.contract_id = contracts.contract_id
left join lines
    on lines.framework_version = latest.framework_version
    and lines.contract_id = latest.contract_id
left join priorities
    on priorities.framework_version = lines.framework_version
    and priorities.contract_id = lines.contract_id
    and priorities.source_table = lines.source_table
    and priorities.line_number = lines.line_number
left join latest_versions on latest_versions.commissioner_code = contracts.commissioner_code

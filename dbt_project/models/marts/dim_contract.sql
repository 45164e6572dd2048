-- One row per contract: its conformed attributes as the latest framework version that
-- funds it prints them, and the versions it appears in.
with lines as (
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

themes as (
    select * from {{ ref('dim_strategic_theme') }}
),

mechanisms as (
    select * from {{ ref('dim_funding_mechanism') }}
),

ordered as (
    select
        lines.*,
        versions.version_number,
        versions.financial_year,
        row_number() over (partition by lines.contract_id order by versions.financial_year desc, versions.version_number desc) as recency,
        min(lines.framework_version) over (partition by lines.contract_id) as first_version_seen,
        list(lines.framework_version order by versions.financial_year, versions.version_number) over (
            partition by lines.contract_id
            rows between unbounded preceding and unbounded following
        ) as framework_versions
    from lines
    inner join versions on versions.framework_version = lines.framework_version
),

latest as (
    select * from ordered where recency = 1
),

latest_versions as (
    select commissioner_code, max(version_number) as version_number
    from versions
    group by commissioner_code
)

select
    contracts.contract_id,
    contracts.commissioner_code,
    latest.theme_code,
    themes.strategic_theme,
    contracts.initiative_name,
    contracts.description,
    latest.provider,
    latest.provider_printed,
    latest.mechanism_code,
    mechanisms.funding_mechanism,
    priorities.primary_priorities,
    priorities.secondary_priority,
    latest.primary_priority_printed,
    latest.secondary_priority_printed,
    latest.geographical_reach,
    latest.community_safety_partnership,
    contracts.first_framework_version,
    latest.framework_version as latest_framework_version,
    latest.framework_versions,
    latest.version_number = latest_versions.version_number as in_latest_version
from contracts
inner join latest on latest.contract_id = contracts.contract_id
left join priorities
    on priorities.framework_version = latest.framework_version
    and priorities.contract_id = latest.contract_id
    and priorities.source_table = latest.source_table
    and priorities.line_number = latest.line_number
left join themes on themes.theme_code = latest.theme_code
left join mechanisms on mechanisms.mechanism_code = latest.mechanism_code
left join latest_versions on latest_versions.commissioner_code = contracts.commissioner_code

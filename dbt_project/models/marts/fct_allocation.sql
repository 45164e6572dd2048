-- One row per contract per framework version: the money the version allocates to it.
with lines as (
    select * from {{ ref('int_framework_lines') }}
),

themes as (
    select * from {{ ref('dim_strategic_theme') }}
),

mechanisms as (
    select * from {{ ref('dim_funding_mechanism') }}
),

versions as (
    select * from {{ ref('dim_framework_version') }}
)

select
    lines.framework_version,
    lines.commissioner_code,
    versions.financial_year,
    lines.contract_id,
    lines.allocated_gbp,
    lines.theme_code,
    themes.strategic_theme,
    lines.mechanism_code,
    mechanisms.funding_mechanism,
    lines.initiative_name,
    lines.provider,
    lines.primary_priority_printed,
    lines.secondary_priority_printed,
    lines.community_safety_partnership,
    lines.source_table,
    lines.line_number,
    lines.source_line,
    lines.value_printed,
    lines.in_table_1,
    lines.table_1_allocated_gbp
from lines
left join themes on themes.theme_code = lines.theme_code
left join mechanisms on mechanisms.mechanism_code = lines.mechanism_code
left join versions on versions.framework_version = lines.framework_version

-- One row per contract per framework version: the money the version allocates to it, under its
-- plan's theme and funding mechanism. Versions the quality gate held back are not here.
with lines as (
    select * from {{ ref('int_framework_lines') }}
),

versions as (
    select * from {{ ref('int_framework_versions__published') }}
    where not is_held_back
),

themes as (
    select * from {{ ref('dim_strategic_theme') }}
),

mechanisms as (
    select * from {{ ref('dim_funding_mechanism') }}
)

select
    lines.framework_version,
    lines.commissioner_code,
    versions.financial_year,
    versions.funding_stream,
    versions.fund_name,
    versions.plan_code,
    lines.contract_id,
    lines.allocated_gbp,
    lines.theme_code,
    themes.strategic_theme,
    lines.mechanism_code,
    mechanisms.funding_mechanism,
    mechanisms.mechanism_class,
    lines.initiative_name,
    lines.provider,
    lines.primary_priority_printed,
    lines.secondary_priority_printed,
    lines.community_safety_partnership,
    lines.source_table,
    lines.line_number,
    lines.source_line,
    lines.value_printed,
    lines.reporting_rhythm,
    lines.in_table_1,
    lines.table_1_allocated_gbp,
    versions.is_current as is_current_version
from lines
inner join versions
    on versions.commissioner_code = lines.commissioner_code
    and versions.framework_version = lines.framework_version
left join themes
    on themes.plan_code = lines.plan_code
    and themes.theme_code = lines.theme_code
left join mechanisms
    on mechanisms.plan_code = lines.plan_code
    and mechanisms.mechanism_code = lines.mechanism_code

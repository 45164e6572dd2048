-- Every printed allocation line with its fields conformed. Appendix C prints only a name,
-- a cost and a rationale; its other attributes come from the contract registry.
with lines as (
    select * from {{ ref('stg_framework__allocation_lines') }}
),

contracts as (
    select * from {{ ref('int_contracts__conformed') }}
),

versions as (
    select * from {{ ref('stg_framework__framework_versions') }}
),

names as (
    select * from {{ ref('int_name_lookup') }}
),

attributed as (
    select
        lines.*,
        versions.commissioner_code,
        lines.source_table = 'appendix_c' as attributes_from_registry,
        coalesce({{ nullif_blank('lines.theme_printed') }}, contracts.theme_printed) as theme_used,
        coalesce({{ nullif_blank('lines.provider_printed') }}, contracts.provider_printed) as provider_used,
        coalesce({{ nullif_blank('lines.mechanism_printed') }}, contracts.mechanism_printed) as mechanism_used,
        case when lines.source_table = 'appendix_c' then contracts.primary_priority_printed else lines.primary_priority_printed end as primary_used,
        case when lines.source_table = 'appendix_c' then contracts.secondary_priority_printed else lines.secondary_priority_printed end as secondary_used,
        coalesce({{ nullif_blank('lines.reach_printed') }}, contracts.reach_printed) as reach_used,
        contracts.initiative_name,
        contracts.description
    from lines
    left join contracts on contracts.contract_id = lines.contract_id
    left join versions on versions.framework_version = lines.framework_version
)

select
    attributed.framework_version,
    attributed.commissioner_code,
    attributed.source_table,
    attributed.line_number,
    attributed.source_line,
    attributed.contract_id,
    theme.conformed as theme_code,
    attributed.initiative_name,
    attributed.description,
    coalesce(provider.conformed, trim(attributed.provider_used)) as provider,
    mechanism.conformed as mechanism_code,
    attributed.primary_used as primary_priority_printed,
    attributed.secondary_used as secondary_priority_printed,
    trim(attributed.reach_used) as geographical_reach,
    csp.conformed as community_safety_partnership,
    attributed.value_gbp as allocated_gbp,
    attributed.value_printed,
    attributed.theme_printed,
    attributed.initiative_printed,
    attributed.provider_printed,
    attributed.mechanism_printed,
    attributed.reach_printed,
    attributed.need_printed,
    attributed.linkage_printed,
    attributed.extraction_note,
    attributed.attributes_from_registry,
    attributed.source_file,
    attributed.source_row
from attributed
left join names as theme
    on theme.field = 'theme' and theme.printed_key = {{ conform_key('attributed.theme_used') }}
left join names as provider
    on provider.field = 'provider' and provider.printed_key = {{ conform_key('attributed.provider_used') }}
left join names as mechanism
    on mechanism.field = 'mechanism' and mechanism.printed_key = {{ conform_key('attributed.mechanism_used') }}
left join names as csp
    on csp.field = 'csp' and mechanism.conformed = 'PLF' and csp.printed_key = {{ conform_key('attributed.reach_used') }}

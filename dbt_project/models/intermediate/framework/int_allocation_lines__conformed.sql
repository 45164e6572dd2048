-- Every printed allocation line with its version, commissioner and plan, and its fields conformed
-- (theme and mechanism within the plan in force, provider, initiative and partnership area within
-- the commissioner). A table that prints only a name and a cost (allocation_tables.prints_attributes
-- false) takes the line's other attributes from the contract registry; every other table's lines
-- are read as printed (a contract's registry row describes it as first printed, perhaps under an
-- earlier plan).
with lines as (
    select * from {{ ref('stg_framework__allocation_lines') }}
),

versions as (
    select * from {{ ref('int_framework_versions') }}
),

tables as (
    select * from {{ ref('stg_reference__allocation_tables') }}
),

contracts as (
    select * from {{ ref('int_contracts__conformed') }}
),

names as (
    select * from {{ ref('int_name_lookup') }}
),

mechanisms as (
    select * from {{ ref('int_plan_elements') }}
    where element_kind = 'mechanism'
),

attributed as (
    select
        lines.*,
        versions.commissioner_code,
        versions.plan_code,
        versions.financial_year,
        versions.funding_stream,
        not coalesce(tables.prints_attributes, true) as attributes_from_registry,
        case when coalesce(tables.prints_attributes, true) then lines.theme_printed else contracts.theme_printed end
            as theme_used,
        case when coalesce(tables.prints_attributes, true) then lines.provider_printed else contracts.provider_printed end
            as provider_used,
        case when coalesce(tables.prints_attributes, true) then lines.mechanism_printed else contracts.mechanism_printed end
            as mechanism_used,
        case when coalesce(tables.prints_attributes, true) then lines.primary_priority_printed
            else contracts.primary_priority_printed
        end as primary_used,
        case when coalesce(tables.prints_attributes, true) then lines.secondary_priority_printed
            else contracts.secondary_priority_printed
        end as secondary_used,
        case when coalesce(tables.prints_attributes, true) then lines.reach_printed else contracts.reach_printed end
            as reach_used,
        contracts.initiative_name,
        contracts.description
    from lines
    left join versions on versions.version_folder = lines.version_folder
    left join tables on tables.source_table = lines.source_table
    left join contracts on contracts.contract_id = lines.contract_id
)

select
    attributed.framework_version,
    attributed.commissioner_code,
    attributed.plan_code,
    attributed.financial_year,
    attributed.funding_stream,
    attributed.source_table,
    attributed.line_number,
    attributed.source_line,
    attributed.contract_id,
    theme.conformed as theme_code,
    attributed.initiative_name,
    attributed.description,
    coalesce(provider.conformed, trim(attributed.provider_used)) as provider,
    mechanism.conformed as mechanism_code,
    mechanisms.national_code as mechanism_class,
    attributed.primary_used as primary_priority_printed,
    attributed.secondary_used as secondary_priority_printed,
    trim(attributed.reach_used) as geographical_reach,
    area.conformed as community_safety_partnership,
    attributed.value_gbp as allocated_gbp,
    coalesce(attributed.reporting_rhythm_printed, '{{ var("default_reporting_rhythm") }}') as reporting_rhythm,
    attributed.reporting_rhythm_printed,
    attributed.value_printed,
    attributed.theme_printed,
    attributed.theme_used,
    attributed.initiative_printed,
    attributed.provider_printed,
    attributed.mechanism_printed,
    attributed.mechanism_used,
    attributed.reach_printed,
    attributed.need_printed,
    attributed.linkage_printed,
    attributed.extraction_note,
    attributed.attributes_from_registry,
    attributed.source_file,
    attributed.source_row
from attributed
left join names as theme
    on theme.scope = attributed.plan_code
    and theme.field = 'theme'
    and theme.printed_key = {{ conform_key('attributed.theme_used') }}
left join names as provider
    on provider.scope = attributed.commissioner_code
    and provider.field = 'provider'
    and provider.printed_key = {{ conform_key('attributed.provider_used') }}
left join names as mechanism
    on mechanism.scope = attributed.plan_code
    and mechanism.field = 'mechanism'
    and mechanism.printed_key = {{ conform_key('attributed.mechanism_used') }}
left join mechanisms
    on mechanisms.plan_code = attributed.plan_code
    and mechanisms.element_code = mechanism.conformed
-- Partnership grants go to an area: the line's reach names it.
left join names as area
    on area.scope = attributed.commissioner_code
    and area.field = 'csp'
    and mechanisms.national_code = 'partnership_grant'
    and area.printed_key = {{ conform_key('attributed.reach_used') }}

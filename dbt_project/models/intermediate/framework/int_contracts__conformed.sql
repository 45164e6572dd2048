-- The contract registry with its printed attributes conformed to one spelling.
with contracts as (
    select * from {{ ref('stg_framework__contracts') }}
),

names as (
    select * from {{ ref('int_name_lookup') }}
)

select
    contracts.contract_id,
    contracts.commissioner_code,
    contracts.first_framework_version,
    theme.conformed as theme_code,
    coalesce(initiative.conformed, contracts.initiative_name_printed) as initiative_name,
    contracts.initiative_name_printed,
    nullif(contracts.description, '') as description,
    coalesce(provider.conformed, trim(contracts.provider_printed)) as provider,
    contracts.provider_printed,
    mechanism.conformed as mechanism_code,
    contracts.mechanism_printed,
    contracts.theme_printed,
    contracts.primary_priority_printed,
    contracts.secondary_priority_printed,
    contracts.reach_printed
from contracts
left join names as theme
    on theme.field = 'theme' and theme.printed_key = {{ conform_key('contracts.theme_printed') }}
left join names as initiative
    on initiative.field = 'initiative' and initiative.printed_key = {{ conform_key('contracts.initiative_name_printed') }}
left join names as provider
    on provider.field = 'provider' and provider.printed_key = {{ conform_key('contracts.provider_printed') }}
left join names as mechanism
    on mechanism.field = 'mechanism' and mechanism.printed_key = {{ conform_key('contracts.mechanism_printed') }}

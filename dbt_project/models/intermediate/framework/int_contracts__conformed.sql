-- The contract registry with its initiative and provider conformed to one spelling (within the
-- contract's commissioner). Theme, mechanism and priorities stay as printed: they are conformed
-- per allocation line, against the plan in force for the line's version.
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
    coalesce(initiative.conformed, contracts.initiative_name_printed) as initiative_name,
    contracts.initiative_name_printed,
    nullif(contracts.description, '') as description,
    coalesce(provider.conformed, trim(contracts.provider_printed)) as provider,
    contracts.provider_printed,
    contracts.mechanism_printed,
    contracts.theme_printed,
    contracts.primary_priority_printed,
    contracts.secondary_priority_printed,
    contracts.reach_printed
from contracts
left join names as initiative
    on initiative.scope = contracts.commissioner_code
    and initiative.field = 'initiative'
    and initiative.printed_key = {{ conform_key('contracts.initiative_name_printed') }}
left join names as provider
    on provider.scope = contracts.commissioner_code
    and provider.field = 'provider'
    and provider.printed_key = {{ conform_key('contracts.provider_printed') }}

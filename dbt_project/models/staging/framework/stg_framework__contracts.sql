with source as (
    select * from {{ source('framework', 'contracts') }}
),

renamed as (
    select
        trim(contract_id) as contract_id,
        trim(commissioner_code) as commissioner_code,
        trim(first_framework_version) as first_framework_version,
        strategic_theme as theme_printed,
        initiative_name as initiative_name_printed,
        description,
        provider as provider_printed,
        funding_mechanism as mechanism_printed,
        primary_priority as primary_priority_printed,
        secondary_priority as secondary_priority_printed,
        geographical_reach as reach_printed,
        nullif(trim(contract_ref), '') as contract_ref,
        nullif(trim(service_group), '') as service_group,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed

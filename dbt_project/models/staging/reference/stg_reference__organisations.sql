with source as (
    select * from {{ source('reference', 'organisations') }}
),

renamed as (
    select
        {{ nullif_blank('organisation_name') }} as organisation_name,
        {{ nullif_blank('org_id') }} as org_id,
        {{ nullif_blank('charity_number') }} as charity_number,
        {{ nullif_blank('company_number') }} as company_number,
        {{ nullif_blank('identified_from') }} as identified_from,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed

with source as (
    select * from {{ source('reference', 'org_id_lists') }}
),

renamed as (
    select
        {{ nullif_blank('list_code') }} as list_code,
        trim(list_name) as list_name,
        {{ nullif_blank('identifier_pattern') }} as identifier_pattern,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed

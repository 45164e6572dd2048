with source as (
    select * from {{ source('reference', 'grant_id_prefixes') }}
),

renamed as (
    select
        {{ nullif_blank('commissioner_code') }} as commissioner_code,
        {{ nullif_blank('grant_id_prefix') }} as grant_id_prefix,
        {{ nullif_blank('note') }} as note,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed

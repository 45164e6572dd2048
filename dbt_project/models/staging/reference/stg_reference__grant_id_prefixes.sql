with source as (
    select * from {{ source('reference', 'grant_id_prefixes') }}
),

renamed as (
    select
        trim(commissioner_code) as commissioner_code,
        {{ nullif_blank('grant_id_prefix') }} as grant_id_prefix,
        {{ nullif_blank('note') }} as note
    from source
)

select * from renamed

with source as (
    select * from {{ source('reference', 'community_safety_partnerships') }}
),

renamed as (
    select
        {{ nullif_blank('csp_code') }} as csp_code,
        {{ nullif_blank('csp_name') }} as csp_name,
        trim(local_authority) as local_authority,
        {{ nullif_blank('commissioner_code') }} as commissioner_code,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed

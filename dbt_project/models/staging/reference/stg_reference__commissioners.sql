with source as (
    select * from {{ source('reference', 'commissioners') }}
),

renamed as (
    select
        {{ nullif_blank('commissioner_code') }} as commissioner_code,
        trim(commissioner_name) as commissioner_name,
        trim(police_force_area) as police_force_area,
        trim(region) as region,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed

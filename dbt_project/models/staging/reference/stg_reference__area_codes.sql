with source as (
    select * from {{ source('reference', 'area_codes') }}
),

renamed as (
    select
        {{ nullif_blank('csp_code') }} as csp_code,
        upper({{ nullif_blank('csp_geocode') }}) as csp_geocode,
        upper({{ nullif_blank('council_geocode') }}) as council_geocode,
        {{ nullif_blank('note') }} as note,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed

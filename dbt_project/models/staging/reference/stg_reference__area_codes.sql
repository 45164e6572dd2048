with source as (
    select * from {{ source('reference', 'area_codes') }}
),

renamed as (
    select
        trim(csp_code) as csp_code,
        upper({{ nullif_blank('csp_geocode') }}) as csp_geocode,
        upper({{ nullif_blank('council_geocode') }}) as council_geocode,
        {{ nullif_blank('note') }} as note
    from source
)

select * from renamed

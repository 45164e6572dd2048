with source as (
    select * from {{ source('reference', 'indicators') }}
),

renamed as (
    select
        upper(trim(indicator_code)) as indicator_code,
        trim(indicator_name) as indicator_name,
        trim(unit) as unit,
        trim(kind) as kind,
        trim(better) as better,
        nullif(upper(trim(bounded_by)), '') as bounded_by,
        trim(definition) as definition
    from source
)

select * from renamed

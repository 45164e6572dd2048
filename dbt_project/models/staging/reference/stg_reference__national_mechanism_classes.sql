with source as (
    select * from {{ source('reference', 'national_mechanism_classes') }}
),

renamed as (
    select
        lower(trim(mechanism_class)) as mechanism_class,
        trim(name) as mechanism_class_name,
        trim(description) as description
    from source
)

select * from renamed

with source as (
    select * from {{ source('reference', 'national_mechanism_classes') }}
),

renamed as (
    select
        lower({{ nullif_blank('mechanism_class') }}) as mechanism_class,
        trim(name) as mechanism_class_name,
        trim(description) as description,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed

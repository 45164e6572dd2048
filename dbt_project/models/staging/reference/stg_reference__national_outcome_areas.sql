with source as (
    select * from {{ source('reference', 'national_outcome_areas') }}
),

renamed as (
    select
        lower({{ nullif_blank('outcome_area') }}) as outcome_area,
        trim(name) as outcome_area_name,
        trim(description) as description,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed

with source as (
    select * from {{ source('reference', 'national_outcome_areas') }}
),

renamed as (
    select
        lower(trim(outcome_area)) as outcome_area,
        trim(name) as outcome_area_name,
        trim(description) as description
    from source
)

select * from renamed

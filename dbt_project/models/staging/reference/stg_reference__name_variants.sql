with source as (
    select * from {{ source('reference', 'name_variants') }}
),

renamed as (
    select
        trim(field) as field,
        printed,
        trim(conformed) as conformed,
        nullif(trim(note), '') as note
    from source
)

select * from renamed

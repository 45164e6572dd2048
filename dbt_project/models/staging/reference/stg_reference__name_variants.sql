with source as (
    select * from {{ source('reference', 'name_variants') }}
),

renamed as (
    select
        nullif(trim(commissioner_code), '') as commissioner_code,
        trim(field) as field,
        printed,
        trim(conformed) as conformed,
        nullif(trim(note), '') as note
    from source
)

select * from renamed

with source as (
    select * from {{ source('reference', 'name_variants') }}
),

renamed as (
    select
        nullif(trim(commissioner_code), '') as commissioner_code,
        trim(field) as field,
        printed,
        {{ nullif_blank('conformed') }} as conformed,
        nullif(trim(note), '') as note,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed

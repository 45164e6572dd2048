with source as (
    select * from {{ source('plans', 'plans') }}
),

renamed as (
    select
        trim(plan_code) as plan_code,
        trim(commissioner_code) as commissioner_code,
        trim(plan_name) as plan_name,
        trim(applies_from) as applies_from,
        nullif(trim(source_document), '') as source_document,
        split_part(_source_file, '/', 2) as plan_folder,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed

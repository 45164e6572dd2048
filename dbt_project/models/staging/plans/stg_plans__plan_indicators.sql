with source as (
    select * from {{ source('plans', 'plan_indicators') }}
),

renamed as (
    select
        split_part(_source_file, '/', 2) as plan_folder,
        trim(strategic_priority) as strategic_priority,
        upper(trim(indicator_code)) as indicator_code,
        coalesce(try_cast(nullif(trim(is_headline), '') as boolean), false) as is_headline,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed

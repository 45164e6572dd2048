with source as (
    select * from {{ source('framework', 'printed_priorities') }}
),

renamed as (
    select
        split_part(_source_file, '/', 2) as version_folder,
        trim(framework_version) as framework_version,
        try_cast(priority_number as integer) as priority_number,
        theme_printed,
        priority_printed,
        try_cast(source_line as integer) as source_line,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed

with source as (
    select * from {{ source('framework', 'plf_allocations') }}
),

renamed as (
    select
        split_part(_source_file, '/', 2) as version_folder,
        trim(framework_version) as framework_version,
        try_cast(line_number as integer) as line_number,
        csp_printed,
        value_printed,
        {{ parse_gbp('value_printed') }} as value_gbp,
        try_cast(source_line as integer) as source_line,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed

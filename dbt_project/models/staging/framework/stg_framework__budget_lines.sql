with source as (
    select * from {{ source('framework', 'budget_lines') }}
),

renamed as (
    select
        split_part(_source_file, '/', 2) as version_folder,
        trim(framework_version) as framework_version,
        trim(budget_line) as budget_line,
        value_printed,
        {{ parse_gbp_millions('value_printed') }} as value_gbp,
        nullif(trim(section), '') as section,
        try_cast(source_line as integer) as source_line,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed

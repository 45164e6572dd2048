with source as (
    select * from {{ source('framework', 'published_totals') }}
),

renamed as (
    select
        trim(framework_version) as framework_version,
        trim(source_table) as source_table,
        trim(total_kind) as total_kind,
        label_printed,
        nullif(trim(theme_printed), '') as theme_printed,
        value_printed,
        {{ parse_gbp('value_printed') }} as value_gbp,
        try_cast(source_line as integer) as source_line,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed

with source as (
    select * from {{ source('framework', 'published_totals') }}
),

renamed as (
    select
        split_part(_source_file, '/', 2) as version_folder,
        trim(framework_version) as framework_version,
        trim(source_table) as source_table,
        trim(total_kind) as total_kind,
        label_printed,
        nullif(trim(theme_printed), '') as theme_printed,
        value_printed,
        -- a printed total may be in millions to its precision ('£2.765m'); the importer recorded any
        -- difference within that precision as rounding (difference_accepted_gbp)
        coalesce({{ parse_gbp('value_printed') }}, {{ parse_gbp_millions('value_printed') }}) as value_gbp,
        try_cast(source_line as integer) as source_line,
        try_cast(nullif(trim(difference_accepted_gbp), '') as decimal(14, 2)) as difference_accepted_gbp,
        nullif(trim(accepted_because), '') as accepted_because,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed

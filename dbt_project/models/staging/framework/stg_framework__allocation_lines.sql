with source as (
    select * from {{ source('framework', 'allocation_lines') }}
),

renamed as (
    select
        split_part(_source_file, '/', 2) as version_folder,
        trim(framework_version) as framework_version,
        trim(source_table) as source_table,
        try_cast(line_number as integer) as line_number,
        try_cast(source_line as integer) as source_line,
        trim(contract_id) as contract_id,
        theme_printed,
        initiative_printed,
        value_printed,
        {{ parse_gbp('value_printed') }} as value_gbp,
        provider_printed,
        mechanism_printed,
        primary_priority_printed,
        secondary_priority_printed,
        reach_printed,
        need_printed,
        linkage_printed,
        nullif(extraction_note, '') as extraction_note,
        lower(nullif(trim(returns_printed), '')) as reporting_rhythm_printed,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed

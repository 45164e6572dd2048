with source as (
    select * from {{ source('framework', 'framework_versions') }}
),

renamed as (
    select
        split_part(_source_file, '/', 2) as version_folder,
        trim(framework_version) as framework_version,
        trim(commissioner_code) as commissioner_code,
        trim(financial_year) as financial_year,
        try_cast(version_number as integer) as version_number,
        lower(nullif(trim(funding_stream), '')) as funding_stream,
        nullif(trim(fund_name), '') as fund_name,
        try_strptime(nullif(trim(document_date), ''), '%d %B %Y')::date as document_date,
        source_document,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed

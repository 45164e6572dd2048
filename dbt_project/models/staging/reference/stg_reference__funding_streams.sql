with source as (
    select * from {{ source('reference', 'funding_streams') }}
),

renamed as (
    select
        lower({{ nullif_blank('funding_stream') }}) as funding_stream,
        trim(name) as funding_stream_name,
        trim(description) as description,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed

with source as (
    select * from {{ source('reference', 'funding_streams') }}
),

renamed as (
    select
        lower(trim(funding_stream)) as funding_stream,
        trim(name) as funding_stream_name,
        trim(description) as description
    from source
)

select * from renamed

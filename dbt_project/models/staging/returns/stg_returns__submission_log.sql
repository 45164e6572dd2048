with source as (
    select * from {{ source('returns', 'submission_log') }}
),

renamed as (
    select
        trim(period) as period,
        trim(file) as file_name,
        'returns/' || trim(period) || '/' || trim(file) as path,
        {{ parse_uk_timestamp('received_at') }} as received_at,
        received_at as received_at_printed,
        nullif(trim(note), '') as note,
        _source_row as source_row
    from source
)

select * from renamed

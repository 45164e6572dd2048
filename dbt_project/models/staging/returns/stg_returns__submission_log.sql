with source as (
    select * from {{ source('returns', 'submission_log') }}
),

renamed as (
    select
        trim(period) as period,
        trim(file) as file_name,
        'returns/' || trim(period) || '/' || trim(file) as path,
        coalesce(
            try_strptime(trim(received_at), '%Y-%m-%d %H:%M'),
            try_strptime(trim(received_at), '%Y-%m-%d %H:%M:%S'),
            try_strptime(trim(received_at), '%Y-%m-%d'),
            try_strptime(trim(received_at), '%d/%m/%Y %H:%M'),
            try_strptime(trim(received_at), '%d/%m/%Y')
        ) as received_at,
        received_at as received_at_printed,
        nullif(trim(note), '') as note,
        _source_row as source_row
    from source
)

select * from renamed

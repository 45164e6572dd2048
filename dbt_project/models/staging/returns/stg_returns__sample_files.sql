with source as (
    select * from {{ source('returns', 'sample_files') }}
),

renamed as (
    select
        'returns/' || trim(period) || '/' || trim(file) as path,
        lower(trim(sha256)) as sha256
    from source
)

select * from renamed

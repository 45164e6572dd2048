with source as (
    select * from {{ source('returns_audit', 'file_history') }}
),

renamed as (
    select
        path,
        sha256,
        period,
        size_bytes,
        first_seen_at,
        last_seen_at
    from source
)

select * from renamed

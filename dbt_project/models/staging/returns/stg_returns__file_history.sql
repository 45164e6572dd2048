with source as (
    select * from {{ source('returns_audit', 'file_history') }}
),

renamed as (
    select
        path,
        version,
        sha256,
        period,
        size_bytes,
        status,
        reason,
        submitted_on as submitted_on_printed,
        {{ parse_uk_timestamp('submitted_on') }}::date as submitted_on,
        first_seen_at,
        last_seen_at
    from source
)

select * from renamed

with source as (
    select * from {{ source('returns', 'return_files') }}
),

renamed as (
    select
        path,
        period,
        sha256,
        size_bytes,
        submitted_on as submitted_on_printed,
        {{ parse_uk_timestamp('submitted_on') }}::date as submitted_on,
        rows_read,
        rows_loaded,
        rows_quarantined,
        status,
        reason,
        warnings,
        loaded_at
    from source
)

select * from renamed

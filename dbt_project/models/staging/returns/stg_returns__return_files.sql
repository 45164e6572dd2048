with source as (
    select * from {{ source('returns', 'return_files') }}
),

renamed as (
    select
        path,
        period,
        sha256,
        size_bytes,
        try_cast(submitted_on as date) as submitted_on,
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

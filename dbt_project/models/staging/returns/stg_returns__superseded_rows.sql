with source as (
    select * from {{ source('returns_audit', 'superseded_return_rows') }}
),

renamed as (
    select
        path,
        version,
        sha256,
        period_folder,
        contract_id,
        period,
        measure,
        value,
        value_text,
        comment,
        source_row,
        first_seen_at,
        superseded_at
    from source
)

select * from renamed

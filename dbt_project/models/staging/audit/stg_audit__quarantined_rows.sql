-- Every input row the ingest set aside, with the reason (audit.quarantined_rows, written before dbt runs).
with source as (
    select * from {{ source('returns_quarantine', 'quarantined_rows') }}
),

renamed as (
    select
        source_table,
        period,
        path,
        row_number,
        column_name,
        value,
        reason,
        run_id,
        contract_id
    from source
)

select * from renamed

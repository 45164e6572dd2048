with source as (
    select * from {{ source('returns', 'provider_returns') }}
),

renamed as (
    select
        contract_id,
        period,
        measure,
        value,
        value_text,
        comment,
        period_folder,
        source_file,
        source_row
    from source
)

select * from renamed

with source as (
    select * from {{ source('reference', 'targets') }}
),

renamed as (
    select
        trim(contract_id) as contract_id,
        trim(financial_year) as financial_year,
        upper(trim(indicator_code)) as indicator_code,
        try_cast(replace(trim(annual_target), ',', '') as double) as annual_target
    from source
)

select * from renamed

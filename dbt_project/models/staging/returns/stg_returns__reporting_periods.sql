with source as (
    select * from {{ source('returns', 'reporting_periods') }}
),

renamed as (
    select
        period,
        financial_year,
        quarter as quarter_number,
        period_kind,
        reporting_rhythm,
        months_in_period,
        period_start,
        period_end,
        due_date,
        months
    from source
)

select * from renamed

with source as (
    select * from {{ source('returns', 'return_periods') }}
),

renamed as (
    select
        period,
        {{ financial_year('period') }} as financial_year,
        {{ period_first_day('period') }} as period_start,
        {{ period_last_day('period') }} as period_end,
        {{ period_due_date('period') }} as due_date,
        files as files_in_folder
    from source
)

select * from renamed

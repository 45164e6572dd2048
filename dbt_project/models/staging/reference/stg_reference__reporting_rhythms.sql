with source as (
    select * from {{ source('reference', 'reporting_rhythms') }}
),

renamed as (
    select
        lower(trim(reporting_rhythm)) as reporting_rhythm,
        trim(name) as reporting_rhythm_name,
        try_cast(trim(periods_per_year) as integer) as periods_per_year,
        nullif(trim(return_condition), '') as return_condition,
        trim(description) as description
    from source
)

select * from renamed

with source as (
    select * from {{ source('reference', 'strategic_priorities') }}
),

renamed as (
    select
        trim(priority_code) as strategic_priority,
        try_cast(priority_number as integer) as priority_number,
        trim(theme_code) as theme_code,
        trim(short_name) as short_name,
        trim(priority_name) as priority_name,
        try_cast(is_plan_priority as boolean) as is_plan_priority
    from source
)

select * from renamed

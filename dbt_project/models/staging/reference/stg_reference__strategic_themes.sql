with source as (
    select * from {{ source('reference', 'strategic_themes') }}
),

renamed as (
    select
        trim(theme_code) as theme_code,
        try_cast(theme_number as integer) as theme_number,
        trim(theme_name) as theme_name,
        try_cast(is_plan_theme as boolean) as is_plan_theme
    from source
)

select * from renamed

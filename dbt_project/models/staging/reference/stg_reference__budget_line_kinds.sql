with source as (
    select * from {{ source('reference', 'budget_line_kinds') }}
),

renamed as (
    select
        trim(budget_line) as budget_line,
        trim(name) as budget_line_name,
        trim(description) as description
    from source
)

select * from renamed

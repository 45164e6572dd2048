with source as (
    select * from {{ source('reference', 'allocation_tables') }}
),

renamed as (
    select
        trim(source_table) as source_table,
        trim(name) as table_name,
        trim(role) as table_role,
        nullif(trim(budget_line), '') as budget_line,
        try_cast(nullif(trim(precedence), '') as integer) as precedence,
        try_cast(trim(prints_attributes) as boolean) as prints_attributes,
        trim(description) as description
    from source
)

select * from renamed

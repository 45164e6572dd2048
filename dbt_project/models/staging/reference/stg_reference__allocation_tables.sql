with source as (
    select * from {{ source('reference', 'allocation_tables') }}
),

renamed as (
    select
        {{ nullif_blank('source_table') }} as source_table,
        trim(name) as table_name,
        trim(role) as table_role,
        nullif(trim(budget_line), '') as budget_line,
        {{ nullif_blank('precedence') }} as precedence_printed,
        {{ parse_count('precedence') }} as precedence,
        {{ nullif_blank('prints_attributes') }} as prints_attributes_printed,
        try_cast({{ nullif_blank('prints_attributes') }} as boolean) as prints_attributes,
        trim(description) as description,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed

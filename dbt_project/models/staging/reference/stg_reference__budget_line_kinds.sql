with source as (
    select * from {{ source('reference', 'budget_line_kinds') }}
),

renamed as (
    select
        {{ nullif_blank('budget_line') }} as budget_line,
        trim(name) as budget_line_name,
        trim(description) as description,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed

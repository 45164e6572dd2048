with source as (
    select * from {{ source('reference', 'total_kinds') }}
),

renamed as (
    select
        {{ nullif_blank('total_kind') }} as total_kind,
        trim(name) as total_kind_name,
        trim(adds_up) as adds_up,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed

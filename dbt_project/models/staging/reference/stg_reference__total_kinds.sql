with source as (
    select * from {{ source('reference', 'total_kinds') }}
),

renamed as (
    select
        trim(total_kind) as total_kind,
        trim(name) as total_kind_name,
        trim(adds_up) as adds_up
    from source
)

select * from renamed

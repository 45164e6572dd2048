with source as (
    select * from {{ source('reference', 'org_id_lists') }}
),

renamed as (
    select
        trim(list_code) as list_code,
        trim(list_name) as list_name,
        trim(identifier_pattern) as identifier_pattern
    from source
)

select * from renamed

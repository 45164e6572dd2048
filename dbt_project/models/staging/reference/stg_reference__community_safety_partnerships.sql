with source as (
    select * from {{ source('reference', 'community_safety_partnerships') }}
),

renamed as (
    select
        trim(csp_code) as csp_code,
        trim(csp_name) as csp_name,
        trim(local_authority) as local_authority,
        trim(commissioner_code) as commissioner_code
    from source
)

select * from renamed

with source as (
    select * from {{ source('reference', 'funding_mechanisms') }}
),

renamed as (
    select
        trim(mechanism_code) as mechanism_code,
        trim(mechanism_name) as funding_mechanism,
        trim(printed_label) as printed_label,
        trim(how_it_works) as how_it_works
    from source
)

select * from renamed

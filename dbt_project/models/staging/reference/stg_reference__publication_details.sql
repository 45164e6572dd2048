with source as (
    select * from {{ source('reference', 'publication_details') }}
),

renamed as (
    select
        {{ nullif_blank('contract_id') }} as contract_id,
        {{ nullif_blank('financial_year') }} as financial_year,
        lower({{ nullif_blank('publish_as') }}) as publish_as,
        {{ nullif_blank('conditions') }} as conditions,
        {{ nullif_blank('decision_reference') }} as decision_reference,
        {{ nullif_blank('award_date') }} as award_date_printed,
        try_strptime({{ nullif_blank('award_date') }}, '%Y-%m-%d')::date as award_date,
        {{ nullif_blank('start_date') }} as start_date_printed,
        try_strptime({{ nullif_blank('start_date') }}, '%Y-%m-%d')::date as start_date,
        {{ nullif_blank('end_date') }} as end_date_printed,
        try_strptime({{ nullif_blank('end_date') }}, '%Y-%m-%d')::date as end_date,
        {{ nullif_blank('beneficiary_areas') }} as beneficiary_areas,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed

with source as (
    select * from {{ source('reference', 'reporting_rhythms') }}
),

renamed as (
    select
        lower({{ nullif_blank('reporting_rhythm') }}) as reporting_rhythm,
        trim(name) as reporting_rhythm_name,
        {{ nullif_blank('periods_per_year') }} as periods_per_year_printed,
        {{ parse_count('periods_per_year') }} as periods_per_year,
        nullif(trim(return_condition), '') as return_condition,
        trim(description) as description,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed

with source as (
    select * from {{ source('plans', 'plan_elements') }}
),

renamed as (
    select
        split_part(_source_file, '/', 2) as plan_folder,
        lower(trim(kind)) as element_kind,
        case when lower(trim(kind)) = 'indicator' then upper(trim(code)) else trim(code) end as element_code,
        trim(name) as element_name,
        nullif(trim(parent_code), '') as parent_code,
        nullif(lower(trim(national_code)), '') as national_code,
        nullif(trim(short_name), '') as short_name,
        try_cast(nullif(trim(position), '') as integer) as position,
        coalesce(try_cast(nullif(trim(in_plan), '') as boolean), true) as in_plan,
        nullif(trim(description), '') as description,
        -- an indicator's definition (rows of kind indicator; defaults as the plan CSV documents them)
        coalesce(nullif(lower(trim(unit)), ''), 'count') as unit,
        coalesce(nullif(lower(trim(indicator_kind)), ''), 'output') as indicator_kind,
        coalesce(nullif(lower(trim(better)), ''), 'higher') as better,
        nullif(upper(trim(bounded_by)), '') as bounded_by,
        coalesce(try_cast(nullif(trim(is_headline), '') as boolean), false) as is_headline,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed

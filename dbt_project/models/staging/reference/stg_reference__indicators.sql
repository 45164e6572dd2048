-- Every indicator the project defines: the catalogue (raw/reference/indicators.csv) and the rows of
-- kind indicator of the plans (a commissioner's indicators come with its plan). A code defined in
-- both means the same (opcc import-allocations refuses a clash); the catalogue's row is kept.
with source as (
    select * from {{ source('reference', 'indicators') }}
),

plan_elements as (
    select * from {{ source('plans', 'plan_elements') }}
),

catalogue as (
    select
        upper({{ nullif_blank('indicator_code') }}) as indicator_code,
        trim(indicator_name) as indicator_name,
        trim(unit) as unit,
        trim(kind) as kind,
        trim(better) as better,
        nullif(upper(trim(bounded_by)), '') as bounded_by,
        trim(definition) as definition,
        _source_file as source_file,
        _source_row as source_row,
        0 as precedence
    from source
),

from_plans as (
    select
        upper({{ nullif_blank('code') }}) as indicator_code,
        trim(name) as indicator_name,
        coalesce(nullif(lower(trim(unit)), ''), 'count') as unit,
        coalesce(nullif(lower(trim(indicator_kind)), ''), 'output') as kind,
        coalesce(nullif(lower(trim(better)), ''), 'higher') as better,
        nullif(upper(trim(bounded_by)), '') as bounded_by,
        coalesce(nullif(trim(description), ''), trim(name)) as definition,
        _source_file as source_file,
        _source_row as source_row,
        1 as precedence
    from plan_elements
    where lower(trim(kind)) = 'indicator'
)

select * exclude (precedence)
from (
    select * from catalogue
    union all
    select * from from_plans
) as defined
qualify row_number() over (partition by indicator_code order by precedence, source_file, source_row) = 1

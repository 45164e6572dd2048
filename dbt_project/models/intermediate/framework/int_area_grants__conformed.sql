-- A framework's table of partnership grant money by area, each row's area conformed to the
-- commissioner's community safety partnerships.
with area_rows as (
    select * from {{ ref('stg_framework__plf_allocations') }}
),

versions as (
    select * from {{ ref('int_framework_versions') }}
),

names as (
    select * from {{ ref('int_name_lookup') }}
    where field = 'csp'
)

select
    versions.framework_version,
    versions.commissioner_code,
    versions.version_number,
    area_rows.line_number,
    area_rows.source_line,
    area_rows.csp_printed,
    names.conformed as community_safety_partnership,
    area_rows.value_printed,
    area_rows.value_gbp as plf_allocated_gbp,
    area_rows.source_file,
    area_rows.source_row
from area_rows
inner join versions on versions.version_folder = area_rows.version_folder
left join names
    on names.scope = versions.commissioner_code
    and names.printed_key = {{ conform_key('area_rows.csp_printed') }}

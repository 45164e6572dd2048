with plf as (
    select * from {{ ref('stg_framework__plf_allocations') }}
),

versions as (
    select * from {{ ref('stg_framework__framework_versions') }}
),

names as (
    select * from {{ ref('int_name_lookup') }} where field = 'csp'
)

select
    plf.framework_version,
    versions.commissioner_code,
    versions.version_number,
    plf.line_number,
    plf.source_line,
    plf.csp_printed,
    names.conformed as community_safety_partnership,
    plf.value_printed,
    plf.value_gbp as plf_allocated_gbp,
    plf.source_file,
    plf.source_row
from plf
left join versions on versions.framework_version = plf.framework_version
left join names on names.printed_key = {{ conform_key('plf.csp_printed') }}

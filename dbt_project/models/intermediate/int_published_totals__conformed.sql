-- Printed subtotals and totals with the theme of each subtotal conformed.
with totals as (
    select * from {{ ref('stg_framework__published_totals') }}
),

versions as (
    select * from {{ ref('stg_framework__framework_versions') }}
),

names as (
    select * from {{ ref('int_name_lookup') }} where field = 'theme'
)

select
    totals.framework_version,
    versions.commissioner_code,
    totals.source_table,
    totals.total_kind,
    totals.label_printed,
    names.conformed as theme_code,
    totals.value_printed,
    totals.value_gbp as printed_gbp,
    totals.source_line
from totals
left join versions on versions.framework_version = totals.framework_version
left join names on names.printed_key = {{ conform_key('totals.theme_printed') }}

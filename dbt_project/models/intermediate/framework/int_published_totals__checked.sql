-- Every subtotal and total the documents print, beside the sum of what it totals: the lines of
-- its table (of one theme, for a theme subtotal), or for an area table the rows by area. A
-- difference the analyst accepted (with its reason, recorded by the importer) counts as agreed
-- only when it is exactly the difference found.
with totals as (
    select * from {{ ref('stg_framework__published_totals') }}
),

versions as (
    select * from {{ ref('int_framework_versions') }}
),

tables as (
    select * from {{ ref('stg_reference__allocation_tables') }}
),

names as (
    select * from {{ ref('int_name_lookup') }}
    where field = 'theme'
),

lines as (
    select * from {{ ref('int_allocation_lines__conformed') }}
),

area_rows as (
    select * from {{ ref('int_area_grants__conformed') }}
),

conformed as (
    select
        totals.*,
        versions.commissioner_code,
        versions.plan_code,
        tables.table_role,
        names.conformed as theme_code
    from totals
    inner join versions on versions.version_folder = totals.version_folder
    left join tables on tables.source_table = totals.source_table
    left join names
        on names.scope = versions.plan_code
        and names.printed_key = {{ conform_key('totals.theme_printed') }}
),

line_sums as (
    select
        conformed.source_file,
        conformed.source_row,
        sum(lines.allocated_gbp) as computed_gbp,
        count(lines.contract_id) as lines_counted
    from conformed
    left join lines
        on lines.commissioner_code = conformed.commissioner_code
        and lines.framework_version = conformed.framework_version
        and lines.source_table = conformed.source_table
        and (conformed.total_kind != 'theme_subtotal' or lines.theme_code = conformed.theme_code)
    where conformed.table_role != 'area_breakdown'
    group by all
),

area_sums as (
    select
        conformed.source_file,
        conformed.source_row,
        sum(area_rows.plf_allocated_gbp) as computed_gbp,
        count(area_rows.line_number) as lines_counted
    from conformed
    left join area_rows
        on area_rows.commissioner_code = conformed.commissioner_code
        and area_rows.framework_version = conformed.framework_version
    where conformed.table_role = 'area_breakdown'
    group by all
),

sums as (
    select * from line_sums
    union all
    select * from area_sums
),

compared as (
    select
        conformed.*,
        coalesce(sums.computed_gbp, 0) as computed_gbp,
        coalesce(sums.lines_counted, 0) as lines_counted,
        coalesce(sums.computed_gbp, 0) - conformed.value_gbp as difference_gbp
    from conformed
    left join sums
        on sums.source_file = conformed.source_file
        and sums.source_row = conformed.source_row
)

select
    framework_version,
    commissioner_code,
    plan_code,
    source_table,
    total_kind,
    label_printed,
    theme_code,
    value_printed,
    value_gbp as printed_gbp,
    computed_gbp,
    difference_gbp,
    lines_counted,
    value_gbp is not null and difference_gbp = 0 as matches,
    difference_accepted_gbp,
    accepted_because,
    value_gbp is not null
    and (difference_gbp = 0 or (accepted_because is not null and difference_gbp = difference_accepted_gbp)) as agrees,
    source_line
from compared

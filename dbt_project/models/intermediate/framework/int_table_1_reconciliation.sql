-- Where a version prints the same line in its decision-record Table 1 and in an appendix,
-- every field that differs (beyond spacing and dashes) is a discrepancy in the document.
with lines as (
    select * from {{ ref('int_allocation_lines__conformed') }}
),

appendix as (
    select * from lines where source_table in ('appendix_b', 'appendix_c')
),

table_1 as (
    select * from lines where source_table = 'table_1'
),

paired as (
    select
        appendix.framework_version,
        appendix.commissioner_code,
        appendix.contract_id,
        appendix.source_table as appendix_table,
        appendix.line_number as appendix_line,
        appendix.source_line as appendix_source_line,
        table_1.line_number as table_1_line,
        table_1.source_line as table_1_source_line,
        [
            {'field': 'value', 'appendix': appendix.value_printed, 'table_1': table_1.value_printed},
            {'field': 'strategic_theme', 'appendix': appendix.theme_printed, 'table_1': table_1.theme_printed},
            {'field': 'initiative', 'appendix': appendix.initiative_printed, 'table_1': table_1.initiative_printed},
            {'field': 'provider', 'appendix': appendix.provider_printed, 'table_1': table_1.provider_printed},
            {'field': 'funding_mechanism', 'appendix': appendix.mechanism_printed, 'table_1': table_1.mechanism_printed},
            {'field': 'primary_priority', 'appendix': appendix.primary_priority_printed, 'table_1': table_1.primary_priority_printed},
            {'field': 'secondary_priority', 'appendix': appendix.secondary_priority_printed, 'table_1': table_1.secondary_priority_printed},
            {'field': 'geographical_reach', 'appendix': appendix.reach_printed, 'table_1': table_1.reach_printed}
        ] as fields
    from appendix
    inner join table_1
        on table_1.framework_version = appendix.framework_version
        and table_1.contract_id = appendix.contract_id
),

unnested as (
    select
        paired.* exclude (fields),
        unnest(fields, recursive := true)
    from paired
)

select
    framework_version,
    commissioner_code,
    contract_id,
    field,
    appendix_table,
    appendix_line,
    appendix_source_line,
    table_1_line,
    table_1_source_line,
    appendix as appendix_printed,
    table_1 as table_1_printed
from unnested
-- Appendix C prints no provider, mechanism, priorities or reach: nothing to compare.
where not (appendix_table = 'appendix_c' and field not in ('value', 'initiative'))
    and {{ conform_key('coalesce(appendix, \'\')') }} != {{ conform_key('coalesce(table_1, \'\')') }}

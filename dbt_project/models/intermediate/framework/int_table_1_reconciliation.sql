-- Where a version prints the same line in an allocation table and again in a summary that
-- restates it (a decision record's table), every field that differs (beyond spacing and
-- dashes) is a discrepancy in the document.
with lines as (
    select
        lines.*,
        tables.table_role
    from {{ ref('int_allocation_lines__conformed') }} as lines
    inner join {{ ref('stg_reference__allocation_tables') }} as tables on tables.source_table = lines.source_table
),

appendix as (
    select * from lines
    where table_role = 'allocation'
),

table_1 as (
    select * from lines
    where table_role = 'restatement'
),

paired as (
    select
        appendix.framework_version,
        appendix.commissioner_code,
        appendix.contract_id,
        appendix.source_table as appendix_table,
        not appendix.attributes_from_registry as appendix_prints_attributes,
        appendix.line_number as appendix_line,
        appendix.source_line as appendix_source_line,
        table_1.line_number as table_1_line,
        table_1.source_line as table_1_source_line,
        [
            { 'field': 'value', 'appendix': appendix.value_printed, 'table_1': table_1.value_printed },
            { 'field': 'strategic_theme', 'appendix': appendix.theme_printed, 'table_1': table_1.theme_printed },
            { 'field': 'initiative', 'appendix': appendix.initiative_printed, 'table_1': table_1.initiative_printed },
            { 'field': 'provider', 'appendix': appendix.provider_printed, 'table_1': table_1.provider_printed },
            { 'field': 'funding_mechanism', 'appendix': appendix.mechanism_printed, 'table_1': table_1.mechanism_printed },
            {
                'field': 'primary_priority',
                'appendix': appendix.primary_priority_printed,
                'table_1': table_1.primary_priority_printed
            },
            {
                'field': 'secondary_priority',
                'appendix': appendix.secondary_priority_printed,
                'table_1': table_1.secondary_priority_printed
            },
            { 'field': 'geographical_reach', 'appendix': appendix.reach_printed, 'table_1': table_1.reach_printed }
        ] as fields
    from appendix
    inner join table_1
        on table_1.framework_version = appendix.framework_version
        and table_1.contract_id = appendix.contract_id
),

unnested as (
    select
        paired.* exclude (paired.fields),
        unnest(paired.fields, recursive := true)  -- noqa: AL03
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
-- A table that prints only a name and a cost has no other field to compare.
where (appendix_prints_attributes or field in ('value', 'initiative'))
    and {{ conform_key('coalesce(appendix, \'\')') }} != {{ conform_key('coalesce(table_1, \'\')') }}

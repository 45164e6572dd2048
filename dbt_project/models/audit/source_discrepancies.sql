-- Where the published documents disagree with themselves or with the reference data.
-- The warehouse keeps the printed value, conforms it, and lists the discrepancy here for
-- a reviewer: one row per place, with where it was printed and what was made of it.
with lines as (
    select * from {{ ref('int_allocation_lines__conformed') }}
),

totals as (
    select * from {{ ref('fct_published_totals') }}
),

tables as (
    select * from {{ ref('stg_reference__allocation_tables') }}
),

budget as (
    select * from {{ ref('fct_budget_position') }}
),

restated_lines as (
    select
        commissioner_code,
        framework_version,
        'printed_differently_in_table_1' as kind,
        contract_id,
        field,
        appendix_printed as printed_value,
        table_1_printed as other_value,
        null as conformed_value,
        appendix_table || ' row ' || appendix_line || ' (document line ' || appendix_source_line || ')' as printed_at,
        'table_1 row ' || table_1_line || ' (document line ' || table_1_source_line || ')' as other_printed_at,
        'The decision record''s summary table prints this ' || replace(field, '_', ' ')
        || ' differently from the allocation table' as explanation
    from {{ ref('int_table_1_reconciliation') }}
),

between_versions as (
    select
        commissioner_code,
        to_version as framework_version,
        case when is_spelling_only then 'spelled_differently_between_versions' else 'worded_differently_between_versions' end
            as kind,
        contract_id,
        field,
        to_value as printed_value,
        from_value as other_value,
        null as conformed_value,
        to_version as printed_at,
        from_version as other_printed_at,
        case when is_spelling_only
                then 'Same ' || replace(field, '_', ' ') || ' printed with a different spelling than in ' || from_version
            else replace(field, '_', ' ') || ' printed differently than in ' || from_version
        end as explanation
    from {{ ref('fct_framework_changes') }}
    where change_type = 'attribute_changed'
),

separators as (
    -- versions that print most of their amounts of £1,000 or more with thousands separators
    select
        commissioner_code,
        framework_version,
        count(*) filter (where value_printed like '%,%') * 2 > count(*) as uses_separators
    from lines
    where allocated_gbp >= 1000
    group by all
),

number_format as (
    select
        lines.commissioner_code,
        lines.framework_version,
        'amount_without_thousands_separator' as kind,
        lines.contract_id,
        'value' as field,
        lines.value_printed as printed_value,
        null as other_value,
        cast(lines.allocated_gbp as varchar) as conformed_value,
        lines.source_table || ' row ' || lines.line_number || ' (document line ' || lines.source_line || ')' as printed_at,
        null as other_printed_at,
        'Amount printed without a thousands separator, unlike most of the version''s; read as '
        || format('£{:,.2f}', cast(lines.allocated_gbp as double)) as explanation
    from lines
    inner join separators
        on separators.commissioner_code = lines.commissioner_code
        and separators.framework_version = lines.framework_version
    where separators.uses_separators
        and lines.allocated_gbp >= 1000
        and lines.value_printed not like '%,%'
),

priority_cells as (
    select
        lines.commissioner_code,
        priorities.framework_version,
        'not_a_strategic_priority' as kind,
        priorities.contract_id,
        'secondary_priority' as field,
        priorities.secondary_priority_printed as printed_value,
        null as other_value,
        null as conformed_value,
        priorities.source_table
        || ' row '
        || priorities.line_number
        || ' (document line '
        || lines.source_line
        || ')' as printed_at,
        null as other_printed_at,
        'Secondary priority ' || priorities.secondary_not_used_because
        || '; no secondary priority is attributed' as explanation
    from {{ ref('int_allocation_lines__priorities') }} as priorities
    inner join lines
        on lines.commissioner_code = priorities.commissioner_code
        and lines.framework_version = priorities.framework_version
        and lines.source_table = priorities.source_table
        and lines.line_number = priorities.line_number
    where priorities.secondary_not_used_because like 'not a strategic priority%'
),

area_names as (
    select
        commissioner_code,
        framework_version,
        'misspelt_name' as kind,
        null as contract_id,
        'community_safety_partnership' as field,
        csp_printed as printed_value,
        null as other_value,
        community_safety_partnership as conformed_value,
        'area table row ' || line_number || ' (document line ' || source_line || ')' as printed_at,
        null as other_printed_at,
        'The table by area prints ''' || csp_printed || '''; the partnership is '
        || coalesce(community_safety_partnership, 'not known') as explanation
    from {{ ref('int_area_grants__conformed') }}
    where community_safety_partnership is null
        or {{ conform_key('csp_printed') }} != {{ conform_key('community_safety_partnership') }}
),

extraction as (
    select
        commissioner_code,
        framework_version,
        'broken_by_text_extraction' as kind,
        contract_id,
        'row' as field,
        initiative_printed as printed_value,
        null as other_value,
        null as conformed_value,
        source_table || ' row ' || line_number || ' (document line ' || source_line || ')' as printed_at,
        null as other_printed_at,
        'Row rebuilt from a broken extraction: ' || extraction_note as explanation
    from lines
    where extraction_note is not null
),

total_mismatch as (
    select
        commissioner_code,
        framework_version,
        case when agrees then 'total_difference_accepted' else 'total_does_not_add_up' end as kind,
        null as contract_id,
        'total' as field,
        value_printed as printed_value,
        cast(computed_gbp as varchar) as other_value,
        null as conformed_value,
        source_table || ' ''' || label_printed || ''' (document line ' || coalesce(cast(source_line as varchar), '-') || ')'
            as printed_at,
        null as other_printed_at,
        'Printed total differs from the sum of its ' || lines_counted || ' lines by '
        || format('£{:,.2f}', abs(difference_gbp)) || coalesce('; accepted: ' || accepted_because, '') as explanation
    from totals
    where not matches
),

subtotal_scope as (
    -- a summary table's theme subtotal beside the first allocation table's subtotal of the same theme
    select
        restated.commissioner_code,
        restated.framework_version,
        'subtotal_differs_between_tables' as kind,
        null as contract_id,
        'theme_subtotal' as field,
        restated.value_printed as printed_value,
        allocated.value_printed as other_value,
        null as conformed_value,
        restated.source_table || ' ''' || restated.label_printed || ''' (document line ' || restated.source_line || ')'
            as printed_at,
        allocated.source_table || ' ''' || allocated.label_printed || ''' (document line ' || allocated.source_line || ')'
            as other_printed_at,
        'Theme subtotal printed as ' || restated.value_printed || ' in the ' || lower(restated_table.table_name)
        || ' and ' || allocated.value_printed || ' in the ' || lower(allocated_table.table_name)
        || ': the summary also counts the theme''s lines of the other tables' as explanation
    from totals as restated
    inner join tables as restated_table
        on restated_table.source_table = restated.source_table
        and restated_table.table_role = 'restatement'
    inner join totals as allocated
        on allocated.commissioner_code = restated.commissioner_code
        and allocated.framework_version = restated.framework_version
        and allocated.theme_code = restated.theme_code
        and allocated.total_kind = 'theme_subtotal'
    inner join tables as allocated_table
        on allocated_table.source_table = allocated.source_table
        and allocated_table.table_role = 'allocation'
    where restated.total_kind = 'theme_subtotal'
        and allocated_table.precedence = (
            select min(precedence) as first_precedence from tables
            where table_role = 'allocation'
        )
        and restated.printed_gbp != allocated.printed_gbp
),

budget_figures as (
    select
        commissioner_code,
        framework_version,
        version_number,
        financial_year,
        unnest([  -- noqa: AL03
            { 'field': 'committed', 'value': committed_printed_gbp },
            { 'field': 'available', 'value': available_printed_gbp },
            { 'field': 'additional_allocations', 'value': additional_printed_gbp },
            { 'field': 'reserve', 'value': reserve_printed_gbp }
        ], recursive := true)
    from budget
),

budget_between_versions as (
    select
        new.commissioner_code,
        new.framework_version,
        'budget_figure_differs_between_versions' as kind,
        null as contract_id,
        new.field,
        format('£{:.3f}m', new.value / 1000000) as printed_value,
        format('£{:.3f}m', old.value / 1000000) as other_value,
        null as conformed_value,
        new.framework_version as printed_at,
        old.framework_version as other_printed_at,
        'The ' || replace(new.field, '_', ' ') || ' figure is printed as ' || format('£{:.3f}m', new.value / 1000000)
        || ' here and ' || format('£{:.3f}m', old.value / 1000000) || ' in ' || old.framework_version as explanation
    from budget_figures as new
    inner join budget_figures as old
        on old.commissioner_code = new.commissioner_code
        and old.financial_year = new.financial_year
        and old.version_number = new.version_number - 1
        and old.field = new.field
    where old.value != new.value
),

budget_arithmetic as (
    select
        commissioner_code,
        framework_version,
        'budget_arithmetic_does_not_hold' as kind,
        null as contract_id,
        'reserve' as field,
        cast(reserve_printed_gbp as varchar) as printed_value,
        cast(reserve_computed_gbp as varchar) as other_value,
        null as conformed_value,
        framework_version as printed_at,
        null as other_printed_at,
        'Budget minus committed minus additional allocations is not the printed reserve' as explanation
    from budget
    where not reserve_arithmetic_holds or not available_arithmetic_holds
),

all_discrepancies as (
    select * from restated_lines
    union all
    select * from between_versions
    union all
    select * from number_format
    union all
    select * from priority_cells
    union all
    select * from area_names
    union all
    select * from extraction
    union all
    select * from total_mismatch
    union all
    select * from subtotal_scope
    union all
    select * from budget_between_versions
    union all
    select * from budget_arithmetic
)

select
    md5(concat_ws('|', commissioner_code, framework_version, kind, contract_id, field, printed_at, printed_value))
        as discrepancy_id,
    *
from all_discrepancies

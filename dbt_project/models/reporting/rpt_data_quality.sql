-- Per commissioner and financial year: what the quality of its data means, in words a
-- commissioner reads: discrepancies in its published framework grouped by kind, framework
-- versions held back, return rows not loaded and return files that could not be read.
{% set rows_listed = 10 %}  {#- rows of one file listed one by one #}
with discrepancies as (
    select * from {{ ref('source_discrepancies') }}
),

versions as (
    select * from {{ ref('dim_framework_version') }}
),

return_files as (
    select * from {{ ref('return_files') }}
),

quarantined as (
    select * from {{ ref('stg_audit__quarantined_rows') }}
),

contracts as (
    select * from {{ ref('dim_contract') }}
),

commissioners as (
    select * from {{ ref('dim_commissioner') }}
),

-- What each kind of discrepancy is, and what the warehouse did about it (kinds are the
-- importers' own; an unknown kind reads as its name).
kinds as (
    select * from (
        values
        (
            'amount_without_thousands_separator', 'amount printed without thousands separators',
            'amounts printed without thousands separators', 'figures used as printed'
        ),
        (
            'printed_differently_in_table_1', 'entry printed differently in the summary table and the allocation tables',
            'entries printed differently in the summary table and the allocation tables', 'the allocation tables'' wording used'
        ),
        (
            'worded_differently_between_versions', 'entry worded differently from the previous version',
            'entries worded differently from the previous version', 'each version''s own wording kept'
        ),
        (
            'spelled_differently_between_versions', 'name spelled differently from the previous version',
            'names spelled differently from the previous version', 'one spelling used'
        ),
        ('misspelt_name', 'misspelt name', 'misspelt names', 'the correct name used'),
        (
            'not_a_strategic_priority', 'priority cell that names no strategic priority of the plan',
            'priority cells that name no strategic priority of the plan', 'no priority attributed for them'
        ),
        (
            'broken_by_text_extraction', 'row broken over lines in the document''s text',
            'rows broken over lines in the document''s text', 'rows rebuilt'
        ),
        (
            'budget_figure_differs_between_versions', 'budget figure printed differently from the previous version',
            'budget figures printed differently from the previous version', 'each version''s own figure used'
        ),
        (
            'subtotal_differs_between_tables', 'subtotal that differs between tables', 'subtotals that differ between tables',
            'the sum of the lines used'
        ),
        (
            'total_difference_accepted', 'printed total that differs from the sum of its lines, accepted with a reason',
            'printed totals that differ from the sum of their lines, accepted with a reason', 'the lines used'
        ),
        (
            'total_does_not_add_up', 'printed total that differs from the sum of its lines',
            'printed totals that differ from the sum of their lines', 'the lines used'
        ),
        (
            'budget_arithmetic_does_not_hold', 'budget figure whose arithmetic does not hold',
            'budget figures whose arithmetic does not hold', 'the figures kept as printed'
        )
    ) as kind_words (kind, one_described_as, described_as, handled_by)  -- noqa: AL05
),

framework_findings as (
    select
        discrepancies.commissioner_code,
        left(discrepancies.framework_version, 7) as financial_year,
        cast(null as varchar) as period,
        'framework discrepancy' as category,
        count(*) as items,
        count(*) || ' '
        || coalesce(
            case when count(*) = 1 then kinds.one_described_as else kinds.described_as end,
            replace(discrepancies.kind, '_', ' ')
        )
        || ' in the ' || left(discrepancies.framework_version, 7) || ' framework: '
        || coalesce(kinds.handled_by, 'kept as printed and listed') as finding,
        string_agg(distinct discrepancies.framework_version, ', ' order by discrepancies.framework_version) as framework_versions,
        any_value(discrepancies.explanation order by discrepancies.discrepancy_id) as example
    from discrepancies
    left join kinds on kinds.kind = discrepancies.kind
    group by
        discrepancies.commissioner_code, left(discrepancies.framework_version, 7), discrepancies.kind,
        kinds.one_described_as, kinds.described_as, kinds.handled_by
),

held_back_findings as (
    select
        commissioner_code,
        financial_year,
        cast(null as varchar) as period,
        'framework version held back' as category,
        1 as items,
        case
            when held_back_note is not null
                then 'Framework ' || framework_version || ' is shown as last published, ' || held_back_note
            else
                'Framework ' || framework_version || ' is held back from every figure (the previous version stays current): '
                || coalesce(held_back_because, 'it failed a blocking rule')
        end as finding,
        framework_version as framework_versions,
        held_back_because as example
    from versions
    where status = 'held back' or held_back_note is not null
),

-- The contract a file's quarantined rows name most (a file whose every row was quarantined has no
-- loaded rows to say whose it is): identity comes from the rows, not the name.
quarantined_contracts as (
    select
        path,
        mode(contract_id) as contract_id
    from quarantined
    where source_table = 'provider_returns' and contract_id is not null
    group by path
),

file_owners as (
    -- a return file's commissioner: that of the contract its rows report (loaded, else quarantined),
    -- else the prefix of its name; a file that names no known contract has no owner
    select
        return_files.path,
        return_files.period,
        return_files.status,
        return_files.reason,
        regexp_extract(return_files.path, '[^/]+$') as file_name,
        coalesce(
            contracts.commissioner_code,
            row_contracts.commissioner_code,
            prefix.commissioner_code
        ) as commissioner_code
    from return_files
    left join contracts on contracts.contract_id = split_part(return_files.contract_id, ', ', 1)
    left join quarantined_contracts on quarantined_contracts.path = return_files.path
    left join contracts as row_contracts on row_contracts.contract_id = quarantined_contracts.contract_id
    left join commissioners as prefix
        on prefix.commissioner_code = regexp_extract(regexp_extract(return_files.path, '[^/]+$'), '^([A-Za-z]{2,5})-', 1)
),

rejected_findings as (
    select
        commissioner_code,
        {{ financial_year_of('period') }} as financial_year,
        period,
        'return file not read' as category,
        1 as items,
        'The return file ' || file_name || ' (' || period || ') could not be read: ' || coalesce(reason, 'no reason recorded')
            as finding,
        cast(null as varchar) as framework_versions,
        path as example
    from file_owners
    where status = 'rejected'
),

-- A file's first rows not loaded are listed one by one, the rest in one line: a file of 200,000
-- rows all quarantined made a pack of 43 MB that took half a minute to write.
quarantined_numbered as (
    select
        *,
        row_number() over (partition by path order by row_number) as nth_in_file,
        count(*) over (partition by path) as in_file
    from quarantined
    where source_table = 'provider_returns'
),

quarantined_beyond as (
    select
        file_owners.commissioner_code,
        {{ financial_year_of('quarantined_numbered.period') }} as financial_year,
        quarantined_numbered.period,
        'return row not loaded' as category,
        quarantined_numbered.in_file - {{ rows_listed }} as items,
        (quarantined_numbered.in_file - {{ rows_listed }}) || ' more rows of ' || file_owners.file_name || ' ('
        || quarantined_numbered.period || ') were not loaded besides the {{ rows_listed }} listed: each row and its reason'
        || ' is in audit.quarantined_rows' as finding,
        cast(null as varchar) as framework_versions,
        quarantined_numbered.path as example
    from quarantined_numbered
    left join file_owners on file_owners.path = quarantined_numbered.path
    where quarantined_numbered.nth_in_file = {{ rows_listed }} + 1
),

quarantined_findings as (
    select
        file_owners.commissioner_code,
        {{ financial_year_of('quarantined.period') }} as financial_year,
        quarantined.period,
        'return row not loaded' as category,
        1 as items,
        'Row ' || quarantined.row_number || ' of ' || file_owners.file_name || ' (' || quarantined.period || '), column '
        || coalesce(quarantined.column_name, 'unknown') || ', was not loaded: '
        -- a file no commissioner owns is listed for every commissioner: what its rows hold stays in the audit
        || case
            when file_owners.commissioner_code is null
                then 'the file names no contract of any commissioner (its rows and reasons are in audit.quarantined_rows)'
            else quarantined.reason
        end as finding,
        cast(null as varchar) as framework_versions,
        quarantined.path as example
    from quarantined_numbered as quarantined
    left join file_owners on file_owners.path = quarantined.path
    where quarantined.nth_in_file <= {{ rows_listed }}
),

findings as (
    select * from framework_findings
    union all
    select * from held_back_findings
    union all
    select * from rejected_findings
    union all
    select * from quarantined_findings
    union all
    select * from quarantined_beyond
)

select
    findings.*,
    case findings.category
        when 'framework version held back' then 1
        when 'return file not read' then 2
        when 'return row not loaded' then 3
        else 4
    end as category_order
from findings

"""The return row rules, in their one home: one SQL statement over all rows of all files at once
(`validate_returns` runs it), numbers read by the grammar in numbers.py inside it."""

from __future__ import annotations

from opcc.core import sql_macros
from opcc.core.periods import PERIOD_SQL_REGEX
from opcc.ingest.numbers import (
    AMBIGUOUS_REASON_SQL,
    CHECKS_SQL,
    EVIDENCE_SQL,
    PARTS_SQL,
    READINGS_SQL,
    VALUE_SQL,
    WORKING_COLUMNS,
    convention_ctes,
    number_text,
)
from opcc.ingest.personal_data import PERSONAL_DATA_SQL

MAX_SPEND_GBP = 1e9
MAX_COUNT = 1e7
MAX_COMMENT_CHARS = 1000
ROWS_NAMED = 10  # rows named in a reason about a measure repeated in a file

VALIDATION_SQL = f"""
with rows as (
    select
        *,
        trim(contract_id) as c_contract,
        trim(period) as c_period,
        case when upper(trim(measure)) = 'SPEND_GBP' then 'spend_gbp' else upper(trim(measure)) end as c_measure,
        trim(value) as c_value_text,
        regexp_extract(_source_file, '^returns/([^/]+)/', 1) as folder_period
    from _rows
),

number_parts as (
    select *, {PARTS_SQL}
    from rows
),

number_readings as (
    select *, {READINGS_SQL}
    from number_parts
),

number_checks as (
    select *, {CHECKS_SQL}
    from number_readings
),

number_evidence as (
    select *, {EVIDENCE_SQL}
    from number_checks
),

{convention_ctes('number_evidence', 'number_convention')},

numbers as (
    select *, {VALUE_SQL}
    from number_convention
),

typed as (
    select
        numbers.* exclude ({', '.join(WORKING_COLUMNS)}),
        contracts.contract_id is not null as contract_known,
        indicators.indicator_code is not null as measure_known,
        indicators.unit,
        indicators.kind,
        indicators.bounded_by,
        targets.indicator_code is not null as contract_reports_measure,
        -- targets are optional: a contract with none for the year may report any indicator of the catalogue
        targeted.contract_id is not null as contract_has_targets,
        case when regexp_full_match(c_period, '{PERIOD_SQL_REGEX}')
             and (cast(substr(c_period, 1, 4) as integer) + 1) % 100 = cast(substr(c_period, 6, 2) as integer)
             then true else false end as period_well_formed,
        {sql_macros.sql('financial_year_of', 'c_period')} as financial_year
    from numbers
    left join (
        -- a contract, or a service group (contracts that report one count together; the return names the group)
        select distinct trim(contract_id) as contract_id from {{contracts}}
        union
        select distinct trim(service_group) from {{contracts}} where nullif(trim(service_group), '') is not null
    ) as contracts
        on contracts.contract_id = numbers.c_contract
    left join (
        select upper(trim(indicator_code)) as indicator_code, trim(unit) as unit, trim(kind) as kind,
               nullif(upper(trim(bounded_by)), '') as bounded_by
        from {{indicators}}
    ) as indicators
        on indicators.indicator_code = numbers.c_measure
    left join (
        select distinct trim(contract_id) as contract_id, trim(financial_year) as financial_year,
               upper(trim(indicator_code)) as indicator_code
        from {{targets}}
    ) as targets
        on targets.contract_id = numbers.c_contract
        and targets.indicator_code = numbers.c_measure
        and targets.financial_year = {sql_macros.sql('financial_year_of', 'numbers.c_period')}
    left join (
        select distinct trim(contract_id) as contract_id, trim(financial_year) as financial_year from {{targets}}
    ) as targeted
        on targeted.contract_id = numbers.c_contract
        and targeted.financial_year = {sql_macros.sql('financial_year_of', 'numbers.c_period')}
),

-- A file is one contract's return: the contract most of its rows name. A row for another
-- contract is quarantined, so it can never stand in for that contract's own return.
contract_rows as (
    select _source_file, c_contract, count(*) as rows_for_contract
    from typed
    where contract_known
    group by all
),

file_contracts as (
    select _source_file, list(c_contract order by c_contract) as file_contracts
    from (
        select *, max(rows_for_contract) over (partition by _source_file) as most
        from contract_rows
    )
    where rows_for_contract = most
    group by _source_file
),

-- Counted first, listed only where repeated: an ordered list per row of every file cost seconds.
-- The first few rows only are named: every row's reason naming all the others grew with the square
-- of the rows (a file repeating one measure 4,000 times held 1.3 GB of reasons).
duplicate_keys as (
    select _source_file, c_contract, c_period, c_measure, count(*) as times_in_file
    from typed
    group by _source_file, c_contract, c_period, c_measure
    having count(*) > 1
),

duplicates as (
    select
        _source_file, c_contract, c_period, c_measure, times_in_file,
        array_to_string(list(_source_row order by _source_row)[1:{ROWS_NAMED}], ', ')
            || case when times_in_file > {ROWS_NAMED} then ' and ' || (times_in_file - {ROWS_NAMED}) || ' more' else '' end
            as rows_with_measure
    from duplicate_keys
    inner join typed using (_source_file, c_contract, c_period, c_measure)
    group by _source_file, c_contract, c_period, c_measure, times_in_file
),

in_file as (
    select
        typed.*,
        coalesce(duplicates.times_in_file, 1) as times_in_file,
        duplicates.rows_with_measure,
        coalesce(file_contracts.file_contracts, []) as file_contracts
    from typed
    left join duplicates using (_source_file, c_contract, c_period, c_measure)
    left join file_contracts using (_source_file)
),

checked as (
    select
        *,
        list_filter([
            case
                when c_contract = '' then {{'column': 'contract_id', 'reason': 'no contract_id'}}
                when not contract_known then {{'column': 'contract_id', 'reason': 'unknown contract_id ''' || left(c_contract, 60) || ''' (not in raw/framework/contracts.csv)'}}
                when len(file_contracts) > 1 then {{'column': 'contract_id', 'reason': 'the file holds rows for ' || array_to_string(file_contracts[1:3], ' and ')
                    || ' in equal numbers: a return holds one contract''s figures; send each contract''s return in a file of its own'}}
                when c_contract != file_contracts[1] then {{'column': 'contract_id', 'reason': 'a row for contract ' || c_contract || ' in a return for '
                    || file_contracts[1] || ': a return holds one contract''s figures; send the figures of ' || c_contract || ' in a file of their own'}}
            end,
            case
                when c_period = '' then {{'column': 'period', 'reason': 'no period'}}
                when not period_well_formed then {{'column': 'period', 'reason': 'period ''' || left(c_period, 40) || ''' is not like ''2016-17 Q1'', ''2016-17 H1'' or ''2016-17'''}}
                when folder_period != '' and c_period != folder_period then {{'column': 'period', 'reason': 'period ' || c_period || ' does not match its folder ' || folder_period}}
            end,
            case
                when c_measure = '' then {{'column': 'measure', 'reason': 'no measure'}}
                when c_measure != 'spend_gbp' and not measure_known then {{'column': 'measure', 'reason': 'measure ''' || left(c_measure, 60) || ''' is neither spend_gbp nor an indicator in raw/reference/indicators.csv'}}
                when c_measure != 'spend_gbp' and contract_known and period_well_formed and contract_has_targets
                    and not contract_reports_measure
                    then {{'column': 'measure', 'reason': 'indicator ' || c_measure || ' is not one contract ' || c_contract || ' reports (no target for it in ' || financial_year || ')'}}
                when times_in_file > 1 then {{'column': 'measure', 'reason': c_measure || ' appears ' || times_in_file || ' times in this file (rows ' || rows_with_measure || ')'}}
            end,
            case
                when c_value_text = '' then {{'column': 'value', 'reason': 'no value'}}
                when c_value_text = '#FORMULA-WITHOUT-VALUE' then {{'column': 'value', 'reason': 'a formula with no calculated value: open and save the workbook in Excel or LibreOffice'}}
                when c_value is null and n_readable then {{'column': 'value', 'reason': {AMBIGUOUS_REASON_SQL}}}
                when c_value is null then {{'column': 'value', 'reason': 'value ''' || left(c_value_text, 40) || ''' is not a number'}}
                when not isfinite(c_value) then {{'column': 'value', 'reason': 'value is not a finite number'}}
                -- A unit written with the value must be the measure's own: '%' only for a percentage,
                -- '£' only for money (spend, or an indicator in pounds). Never read past.
                when contains(c_value_text, '%') and coalesce(unit, '') != 'percent' then {{'column': 'value', 'reason':
                    'value ''' || left(c_value_text, 40) || ''' is a percentage, but ' || c_measure || ' is '
                    || case when c_measure = 'spend_gbp' then 'money (pounds spent)' else 'a ' || coalesce(unit, 'number') end
                    || ', not a percentage: write the ' || case when c_measure = 'spend_gbp' then 'amount in pounds' else coalesce(unit, 'number') end}}
                when contains(c_value_text, '£') and c_measure != 'spend_gbp' and coalesce(unit, '') != 'gbp' then {{'column': 'value', 'reason':
                    'value ''' || left(c_value_text, 40) || ''' is an amount of money, but ' || c_measure || ' is a '
                    || coalesce(unit, 'number') || ', not pounds: write the ' || coalesce(unit, 'number') || ' without £'}}
                when c_measure = 'spend_gbp' and c_value < 0 then {{'column': 'value', 'reason': 'negative spend'}}
                when c_measure = 'spend_gbp' and c_value > {MAX_SPEND_GBP} then {{'column': 'value', 'reason': 'spend over £1bn in a quarter is not plausible'}}
                when c_value < 0 then {{'column': 'value', 'reason': 'negative value for ' || c_measure}}
                when unit = 'percent' and c_value > 100 then {{'column': 'value', 'reason': 'percentage ' || c_value_text || ' is outside 0 to 100'}}
                when unit = 'count' and c_value != floor(c_value) then {{'column': 'value', 'reason': 'a count must be a whole number, not ' || c_value_text
                    || case when n_file_decimal_comma then ' (read as ' || {number_text('c_value')} || ', as this file writes a decimal comma)' else '' end}}
                when unit = 'count' and c_value > {MAX_COUNT} then {{'column': 'value', 'reason': 'count over 10 million in a quarter is not plausible'}}
                when unit = 'gbp' and c_value > {MAX_SPEND_GBP} then {{'column': 'value', 'reason': 'amount over £1bn is not plausible'}}
            end,
            case
                when length(comment) > {MAX_COMMENT_CHARS} then {{'column': 'comment', 'reason': 'comment longer than {MAX_COMMENT_CHARS} characters'}}
            end,
            {PERSONAL_DATA_SQL}
        ], lambda p: p is not null) as problems
    from in_file
),

bounded as (
    -- A figure above the indicator that bounds it (supported above referred) is not refused: people
    -- supported in a year include referrals of earlier years. It loads, and the warehouse lists it as
    -- a finding with both figures (marts.fct_indicator_value.exceeds_bound).
    select * from checked
),

screened as (
    -- A row that may hold personal data shows only that reason: the others would repeat the value.
    select
        * exclude (problems),
        problems as all_problems,
        case
            when list_bool_or(list_transform(problems, lambda p: starts_with(p.reason, 'personal data')))
                then list_filter(problems, lambda p: starts_with(p.reason, 'personal data'))
            else problems
        end as problems
    from bounded
)

select * from screened
"""


def catalogue_sql(indicators: str = "raw.indicators", plan_elements: str = "raw.plan_elements") -> str:
    """Every indicator a return may report: the catalogue's, and those a plan defines (rows of kind indicator)."""
    # one row per code: several plans may define the same indicator (import-allocations refuses two meanings)
    return (
        "(select indicator_code, any_value(unit) as unit, any_value(kind) as kind, any_value(bounded_by) as bounded_by from ("
        f"select upper(trim(indicator_code)) as indicator_code, unit, kind, bounded_by from {indicators} union all "
        f"select upper(trim(code)), coalesce(nullif(lower(trim(unit)), ''), 'count'), "
        f"coalesce(nullif(lower(trim(indicator_kind)), ''), 'output'), bounded_by "
        f"from {plan_elements} where lower(trim(kind)) = 'indicator') group by all)"
    )

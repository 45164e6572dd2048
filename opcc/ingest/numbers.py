"""How a number in a return is read: the one grammar, as SQL the return rules run.

Providers type numbers the way their software and habits write them. A value
is read only when it reads one way; a value that reads two ways is
quarantined as ambiguous with both readings named, unless the file's own
convention, shown unmistakably by another of its values, says which.

* Around the number: spaces, '£', a sign, '%' after it, '(12)' for -12.
* The UK form reads one way: a decimal point, thousands (if any) separated
  by commas, or by spaces or non-breaking spaces, in groups of three:
  '1,234.50', '1 234.50', '1234.5', '12.5', '1.5E+3'.
* A decimal comma reads two ways: '36001,53' and '3 220,61' are 36001.53 and
  3220.61 with a decimal comma, or 3600153 and 322061 if the separators mark
  thousands. Quarantined, unless the file writes a decimal comma unmistakably
  elsewhere ('1.234,56', '1.234.567', '0,75') and never a decimal point.
* A point before exactly three digits ('1.234') reads as 1.234 or, with
  points marking thousands, 1234: quarantined unless the file's convention
  says which. A comma before exactly three digits ('1,234') is a thousands
  separator, 1234, as in the UK, unless the file writes a decimal comma.
* Anything else is not a number: '12abc', '5O', '1,23,456'.

The refresh and `opcc validate-return` run this same SQL (through
`VALIDATION_SQL` in returns.py); nothing else reads a return's numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

SPACES = r"[ \x{00A0}\x{202F}]"  # space, non-breaking space, narrow non-breaking space
# The wrapping of a number: '(' sign '£' sign CORE '%' ')'
WRAPPED = (
    r"^(\()?\s*([-+])?\s*(£)?\s*([-+])?\s*"
    r"([0-9., \x{00A0}\x{202F}]*[0-9][0-9., \x{00A0}\x{202F}]*|[0-9]*\.?[0-9]+[eE][-+]?[0-9]+)"
    r"\s*(%)?\s*(\))?$"
)
# A group of thousands starts with a digit other than 0: '0,123' and '0.123' are not thousands.
POINT_FORMS = (
    r"^[0-9]+(\.[0-9]*)?$",
    r"^[1-9][0-9]{0,2}(,[0-9]{3})+(\.[0-9]*)?$",
    rf"^[1-9][0-9]{{0,2}}({SPACES}[0-9]{{3}})+(\.[0-9]*)?$",
    r"^\.[0-9]+$",
    r"^[0-9]*\.?[0-9]+[eE][-+]?[0-9]+$",
)
COMMA_FORMS = (
    r"^[0-9]+(,[0-9]*)?$",
    r"^[1-9][0-9]{0,2}(\.[0-9]{3})+(,[0-9]*)?$",
    rf"^[1-9][0-9]{{0,2}}({SPACES}[0-9]{{3}})+(,[0-9]*)?$",
    r"^,[0-9]+$",
)


def _any_of(forms: tuple[str, ...]) -> str:
    return "(" + "|".join(forms) + ")"


def _sql(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def number_text(expression: str) -> str:
    """SQL for a number as a person reads it: no trailing zeros, no exponent for ordinary sizes."""
    return f"regexp_replace(printf('%.10f', {expression}), '\\.?0+$', '')"


# Columns added to rows that have c_value_text (trimmed text): the parts of the number and its two readings.
# Plain: digits, or digits and a decimal point, except a point before exactly three digits
# ('1.234', which may mark thousands). Most values are plain and skip the rest.
PLAIN = "regexp_full_match(c_value_text, '[0-9]+(\\.[0-9]+)?') and not regexp_full_match(c_value_text, '[1-9][0-9]{0,2}\\.[0-9]{3}')"
PARTS_SQL = f"""
        {PLAIN} as n_plain,
        case when not ({PLAIN})
             then regexp_extract(c_value_text, {_sql(WRAPPED)}, ['open', 'sign', 'pound', 'sign_after', 'core', 'percent', 'close'])
        end as n_parts"""

READINGS_SQL = f"""
        coalesce(n_plain, false) as n_is_plain,
        (n_parts.open = '(') = (n_parts.close = ')') and n_parts.core != '' as n_wrapped_ok,
        (n_parts.open = '(' or n_parts.sign = '-' or n_parts.sign_after = '-') as n_negative,
        regexp_replace(n_parts.core, '^{SPACES}+|{SPACES}+$', '', 'g') as n_core"""

CHECKS_SQL = f"""
        regexp_matches(n_core, {_sql(_any_of(POINT_FORMS))}) as n_point_ok,
        regexp_matches(n_core, {_sql(_any_of(COMMA_FORMS))}) as n_comma_ok,
        try_cast(regexp_replace(n_core, '[, \\x{{00A0}}\\x{{202F}}]', '', 'g') as double) as n_point_value,
        try_cast(replace(regexp_replace(n_core, '[. \\x{{00A0}}\\x{{202F}}]', '', 'g'), ',', '.') as double) as n_comma_value,
        try_cast(regexp_replace(n_core, '[^0-9]', '', 'g') as double) as n_digits_value"""

# Per value: whether it shows a file's convention by itself. A decimal comma is unmistakable
# beside points ('1.234,56'), after several points ('1.234.567') or after a lone 0 ('0,75'); a
# decimal point (or commas as thousands) whenever the value reads only the UK way ('12.5').
EVIDENCE_SQL = """
        coalesce(n_comma_ok and not n_point_ok and (
            (contains(n_core, '.') and contains(n_core, ','))
            or regexp_matches(n_core, '\\..*\\.')
            or regexp_matches(n_core, '^0?,')
        ), false) as n_shows_comma,
        coalesce(n_point_ok and not n_comma_ok, false) or (n_is_plain and contains(c_value_text, '.')) as n_shows_point"""

def convention_ctes(source: str, name: str) -> str:
    """Two CTEs: `name` is every row of `source` with its file's convention (n_file_decimal_comma,
    n_file_decimal_point), from the values that show one unmistakably, and only one.

    Each file's evidence is aggregated once and joined back to its rows (a window over a million rows
    cost a fifth more); a row always finds its file, a file named by no text too."""
    return f"""{name}_files as (
        select _source_file, bool_or(n_shows_comma) as shows_comma, bool_or(n_shows_point) as shows_point
        from {source}
        group by _source_file
    ),
    {name} as (
        select
            {source}.*,
            {name}_files.shows_comma and not {name}_files.shows_point as n_file_decimal_comma,
            {name}_files.shows_point and not {name}_files.shows_comma as n_file_decimal_point
        from {source}
        inner join {name}_files on {name}_files._source_file is not distinct from {source}._source_file
    )"""

# The value read, or null: null with n_readable is a value that reads two ways.
VALUE_SQL = """
        case
            when n_is_plain then try_cast(c_value_text as double)
            when not coalesce(n_wrapped_ok, false) then null
            when n_point_ok and not n_comma_ok then n_point_value
            when n_point_ok and n_comma_ok and n_point_value = n_comma_value then n_point_value
            when n_point_ok and n_comma_ok then
                case
                    when n_file_decimal_comma then n_comma_value
                    when n_file_decimal_point or contains(n_core, ',') then n_point_value
                end
            when n_comma_ok and (n_shows_comma or n_file_decimal_comma or n_comma_value = n_digits_value) then n_comma_value
        end * case when n_negative then -1 else 1 end as c_value,
        coalesce(not n_is_plain and n_wrapped_ok and (n_point_ok or n_comma_ok), false) as n_readable"""

# The columns only reading a number needs: left behind before the rules run, so that a million rows
# do not carry them through every join (the rules and their messages read c_value, n_readable, the
# readings and the file's convention).
WORKING_COLUMNS = (
    "n_plain", "n_parts", "n_is_plain", "n_wrapped_ok", "n_negative", "n_core", "n_comma_ok",
    "n_shows_comma", "n_shows_point", "n_file_decimal_point",
)

# A value that reads as a number, but two ways: its two readings and how to write the one meant.
_POINT_READINGS = (
    number_text("n_point_value") + " || ' with a decimal point, or ' || "
    + number_text("n_comma_value") + " || ' if the point separates thousands'"
)
_COMMA_READINGS = (
    number_text("n_comma_value") + " || ' with a decimal comma, or ' || "
    + number_text("n_digits_value") + " || ' if its separators mark thousands'"
)
AMBIGUOUS_REASON_SQL = (
    "'value ''' || left(c_value_text, 40) || ''' reads two ways: ' || "
    f"case when n_point_ok then {_POINT_READINGS} else {_COMMA_READINGS} end"
    " || '; write the number meant with a decimal point and no other separator'"
)


# Amounts as registers and documents print them (allocation registers, printed totals): the UK forms,
# plus the spacing seen in published registers, a space after a thousands comma ('£334, 818') and a
# space as the thousands separator ('9 507'). The models' parse_gbp macro (dbt_project/macros/
# parsing.sql) reads raw register cells with this same expression (a test keeps the two equal).
PRINTED_GBP_REGEX = r"£?\s?(\d{1,3}(, ?\d{3})+|\d{1,3}( \d{3})+|\d+)(\.\d{1,2})?"
# ASCII digits only, as the models' regular expressions (RE2) read them: '１２３' is no amount in either.
_PRINTED = re.compile(PRINTED_GBP_REGEX, re.ASCII)
# A printed total in millions with its precision: '£2.765m' is £2,765,000 to the nearest £1,000.
# (parse_gbp_millions in dbt_project/macros/parsing.sql reads the same form.)
MILLIONS_REGEX = r"£\s?(\d+)(?:\.(\d+))?m"
_MILLIONS = re.compile(MILLIONS_REGEX, re.ASCII)
# The most an amount can be: the models hold money as decimal(14, 2) (parse_gbp), so a larger one would
# be read by the importer and then found unreadable by the refresh.
MAX_GBP = Decimal("999999999999.99")


@dataclass(frozen=True)
class PrintedAmount:
    text: str
    value: Decimal | None  # None: refused, `why` says so
    why: str = ""
    precision: Decimal = Decimal(0)  # half the unit of the last printed digit ('£2.765m': 500)


def read_printed_amounts(texts: list[str], millions: bool = False) -> list[PrintedAmount]:
    """Amounts as printed in a register (or, with `millions`, a printed total, which may be in £m), in
    bulk: each its value, or why it is refused. A value that reads two ways is refused with both
    readings, by the same SQL that reads returns; a form that returns accept but registers do not
    print ('1.5E+3', '(12)', '12%') is refused as not an amount of money."""
    results: list[PrintedAmount | None] = [None] * len(texts)
    pending = []
    for index, text in enumerate(texts):
        stripped = (text or "").strip()
        if _PRINTED.fullmatch(stripped):
            value = Decimal(re.sub(r"[£,\s]", "", stripped))
            results[index] = _within_limit(text, value) or PrintedAmount(text, value.quantize(Decimal("0.01")))
            continue
        found = _MILLIONS.fullmatch(stripped) if millions else None
        if found:
            decimals = len(found[2] or "")
            value = Decimal(f"{found[1]}.{found[2] or '0'}").scaleb(6)
            results[index] = _within_limit(text, value) or PrintedAmount(
                text, value.quantize(Decimal("0.01")), precision=Decimal(5) * Decimal(10) ** (5 - decimals)
            )
            continue
        pending.append((index, stripped))
    if pending:
        for index, reason in _two_way_readings(pending).items():
            results[index] = PrintedAmount(texts[index], None, reason)
        for index, _ in pending:
            if results[index] is None:
                results[index] = PrintedAmount(texts[index], None, "")
    return [r for r in results if r is not None]


def _within_limit(text: str, value: Decimal) -> PrintedAmount | None:
    """None for an amount the warehouse can hold; else the amount refused, saying why."""
    if value <= MAX_GBP:
        return None
    return PrintedAmount(text, None, f"'{text.strip()[:40]}' is too large: more than £{MAX_GBP:,}, the most an amount can be")


def _two_way_readings(values: list[tuple[int, str]]) -> dict[int, str]:
    """The values that read as a number two ways (the return grammar), with both readings."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("create table _rows (i integer, c_value_text varchar, _source_file varchar)")
        con.executemany("insert into _rows values (?, ?, 'register')", [(i, v) for i, v in values])
        found = con.execute(
            f"""
            with parts as (select *, {PARTS_SQL} from _rows),
            readings as (select *, {READINGS_SQL} from parts),
            checks as (select *, {CHECKS_SQL} from readings),
            evidence as (select *, {EVIDENCE_SQL} from checks),
            {convention_ctes('evidence', 'convention')},
            valued as (select *, {VALUE_SQL} from convention)
            select i, {AMBIGUOUS_REASON_SQL} from valued where c_value is null and n_readable
            """
        ).fetchall()
    finally:
        con.close()
    return dict(found)

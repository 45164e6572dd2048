"""How a number in a return is read: the one grammar, as SQL the return rules run.

Providers type numbers the way their software and habits write them. A value
is read only when it reads one way:

* Around the number: spaces, '£', a sign, '%' after it, '(12)' for -12.
* The usual form: a decimal point, and optionally thousands separated by
  commas, or by spaces or non-breaking spaces, in groups of three:
  '1,234.50', '1 234.50', '1234.5', '1.5E+11'. Read as written.
* A decimal comma ('36001,53', '3 220,61', '12,5') reads two ways: with a
  decimal comma (36001.53), or as a mistyped thousands separator (3600153).
  Such a value is quarantined as ambiguous, both readings named, unless the
  file writes a decimal comma unmistakably elsewhere ('1.234,56', or '0,75',
  where the comma cannot separate thousands) and never a decimal point: then
  the file's convention decides, for every value in it.
* '1,234' (one separator, three digits after) is a thousands separator,
  1234, unless the file's convention is the decimal comma (then 1.234).
* Anything else is not a number: '12abc', '5O', '1,23,456'.

The refresh and `opcc validate-return` run this same SQL (through
`VALIDATION_SQL` in returns.py); nothing else reads a return's numbers.
"""

from __future__ import annotations

SPACES = r"[ \x{00A0}\x{202F}]"  # space, non-breaking space, narrow non-breaking space
# The wrapping of a number: '(' sign '£' sign CORE '%' ')'
WRAPPED = (
    r"^(\()?\s*([-+])?\s*(£)?\s*([-+])?\s*"
    r"([0-9., \x{00A0}\x{202F}]*[0-9][0-9., \x{00A0}\x{202F}]*|[0-9]*\.?[0-9]+[eE][-+]?[0-9]+)"
    r"\s*(%)?\s*(\))?$"
)
POINT_FORMS = (
    r"^[0-9]+(\.[0-9]*)?$",
    r"^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?$",
    rf"^[0-9]{{1,3}}({SPACES}[0-9]{{3}})+(\.[0-9]*)?$",
    r"^\.[0-9]+$",
    r"^[0-9]*\.?[0-9]+[eE][-+]?[0-9]+$",
)
COMMA_FORMS = (
    r"^[0-9]+(,[0-9]*)?$",
    r"^[0-9]{1,3}(\.[0-9]{3})+(,[0-9]*)?$",
    rf"^[0-9]{{1,3}}({SPACES}[0-9]{{3}})+(,[0-9]*)?$",
    r"^,[0-9]+$",
)


def _any_of(forms: tuple[str, ...]) -> str:
    return "(" + "|".join(forms) + ")"


def _sql(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# Columns added to rows that have c_value_text (trimmed text): the parts of the number and its two readings.
PARTS_SQL = f"""
        regexp_full_match(c_value_text, '[0-9]+(\\.[0-9]+)?') as n_plain,
        case when not regexp_full_match(c_value_text, '[0-9]+(\\.[0-9]+)?')
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

# Per value: whether it shows a file's convention by itself.
EVIDENCE_SQL = """
        coalesce(n_comma_ok and not n_point_ok and (
            (contains(n_core, '.') and contains(n_core, ',')) or regexp_matches(n_core, '^0?,')
        ), false) as n_shows_comma,
        coalesce(n_point_ok and not n_comma_ok, false) as n_shows_point"""

# Per file: its convention, from the values that show one unmistakably.
CONVENTION_SQL = """
        bool_or(n_shows_comma) over (partition by _source_file)
            and not bool_or(n_shows_point) over (partition by _source_file) as n_file_decimal_comma"""

VALUE_SQL = """
        case
            when n_is_plain then try_cast(c_value_text as double)
            when not coalesce(n_wrapped_ok, false) then null
            when n_point_ok and not n_comma_ok then n_point_value
            when n_point_ok and n_comma_ok and n_point_value = n_comma_value then n_point_value
            when n_point_ok and n_comma_ok then case when n_file_decimal_comma then n_comma_value else n_point_value end
            when n_comma_ok and (n_shows_comma or n_file_decimal_comma) then n_comma_value
        end * case when n_negative then -1 else 1 end as c_value,
        coalesce(not n_is_plain and n_wrapped_ok and n_comma_ok and not n_point_ok
            and not n_shows_comma and not n_file_decimal_comma, false) as n_ambiguous"""


def number_text(expression: str) -> str:
    """SQL for a number as a person reads it: no trailing '.0', no exponent for ordinary sizes."""
    return f"regexp_replace(printf('%.10f', {expression}), '\\.?0+$', '')"


AMBIGUOUS_REASON_SQL = (
    "'value ''' || left(c_value_text, 40) || ''' reads two ways: ' || "
    + number_text("n_comma_value")
    + " || ' with a decimal comma, or ' || "
    + number_text("n_digits_value")
    + " || ' if its separators mark thousands; write it with a decimal point and no other separator, e.g. ' || "
    + number_text("n_comma_value")
)

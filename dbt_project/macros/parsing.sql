{#- How the warehouse reads printed text: one definition, used by the dbt models and, rendered
    with plain Jinja, by the Python that reads documents and returns (opcc/core/sql_macros.py).
    Keep these macros free of dbt built-ins so both can render them. -#}

{#- A spelling-insensitive key: lower case, accents, dashes, slashes and punctuation removed. -#}
{% macro conform_key(expression) -%}
    trim(regexp_replace(
        regexp_replace(
            regexp_replace(lower(strip_accents(coalesce({{ expression }}, ''))), '[–—‒−/-]', ' ', 'g'),
            '[^a-z0-9 ]', '', 'g'),
        '\s+', ' ', 'g'))
{%- endmacro %}

{#- Pounds as a UK document or register prints them: '£1,234', '£1114', '1,234.50', '£334, 818' (a
    space after the comma), '9 507' (a space between thousands) -> decimal; anything else (a letter O
    for a zero, a decimal comma, a stray symbol) -> null: never a guess. The expression is
    PRINTED_GBP_REGEX of opcc/ingest/numbers.py, the one home of the number grammar (a test
    keeps them equal); the importer refuses what reads two ways before it writes a register. -#}
{% macro parse_gbp(expression) -%}
    try_cast(
        case when regexp_full_match(trim({{ expression }}), '£?\s?(\d{1,3}(, ?\d{3})+|\d{1,3}( \d{3})+|\d+)(\.\d{1,2})?')
            then replace(replace(replace(trim({{ expression }}), '£', ''), ',', ''), ' ', '')
        end as decimal(14, 2))
{%- endmacro %}

{#- Millions of pounds to three decimals, as budget figures are printed: '£4.611m' -> 4611000. -#}
{% macro parse_gbp_millions(expression) -%}
    (try_cast(regexp_extract(trim({{ expression }}), '^£\s?(\d+(\.\d+)?)m$', 1) as decimal(14, 4)) * 1000000)
{%- endmacro %}

{#- A count as a reference file prints it: a whole number of zero or more ('4', '04'); anything else
    ('4.5', '-1', '1e2', 'four', blank) -> null: never a guess (a plain cast reads '4.5' as 5). -#}
{% macro parse_count(expression) -%}
    case when regexp_full_match(trim({{ expression }}), '\d{1,9}') then cast(trim({{ expression }}) as integer) end
{%- endmacro %}

{#- A financial year as a reference file prints it: 'YYYY-YY', the second year the one after the first
    ('2016-17', '1999-00'); anything else ('2016/17', '2016-18', '16-17', blank) -> null: never a guess. -#}
{% macro parse_financial_year(expression) -%}
    case
        when regexp_full_match(trim({{ expression }}), '\d{4}-\d{2}')
            and (try_cast(left(trim({{ expression }}), 4) as integer) + 1) % 100
            = try_cast(right(trim({{ expression }}), 2) as integer)
            then trim({{ expression }})
    end
{%- endmacro %}

{#- Blank, '-', and whitespace-only printed cells all mean "nothing printed". -#}
{% macro nullif_blank(expression) -%}
    nullif(nullif(trim({{ expression }}), ''), '-')
{%- endmacro %}

{#- A priority as printed in a cell, as a key: the spelling-insensitive key without spaces, and
    numbers without leading zeros ('SP 05' and 'sp5' are the same). -#}
{% macro priority_key(expression) -%}
    regexp_replace(replace({{ conform_key(expression) }}, ' ', ''), '(^|[^0-9])0+([0-9])', '\1\2', 'g')
{%- endmacro %}

{#- The priorities a printed cell names, as keys: split at '/', ',', ';', '&' or '+', a bare number
    taking the letters the cell starts with ('P5/6' names P5 and P6). -#}
{% macro priority_tokens(expression) -%}
    list_transform(
        regexp_split_to_array(trim({{ expression }}), '\s*[/,;&+]\s*'),
        lambda token: {{ priority_key("case when regexp_full_match(trim(token), '\d+') then regexp_extract(trim(" ~ expression ~ "), '^([A-Za-z]+)', 1) || trim(token) else token end") }}
    )
{%- endmacro %}

{#- A date or date and time as people type them in the UK, and as software writes them: day first
    ('08/07/2016', '08/07/2016 12:37:00' as Excel writes it, '8-7-16', '8 July 2016') or ISO
    ('2016-07-08', '2016-07-08T12:37:00'). Month-first American dates are not guessed at: '07/08/2016'
    is 7 August. Anything else is null (the quality suites name the row and value). -#}
{% macro parse_uk_timestamp(expression) -%}
    case
        when regexp_matches(trim({{ expression }}), '^\d{1,2}[/.-]\d{1,2}[/.-]\d{2}(\D|$)')
            then try_strptime(trim({{ expression }}), [
                '%d/%m/%y %H:%M:%S', '%d/%m/%y %H:%M', '%d/%m/%y', '%d-%m-%y %H:%M', '%d-%m-%y', '%d.%m.%y'])
        else try_strptime(trim({{ expression }}), [
            '%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y', '%d-%m-%Y %H:%M:%S', '%d-%m-%Y %H:%M', '%d-%m-%Y',
            '%d.%m.%Y %H:%M', '%d.%m.%Y', '%d %B %Y', '%d %b %Y', '%d %B %Y %H:%M', '%d %b %Y %H:%M',
            '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S.%f', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M',
            '%Y-%m-%dT%H:%M', '%Y-%m-%d', '%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M', '%Y/%m/%d'])
    end
{%- endmacro %}

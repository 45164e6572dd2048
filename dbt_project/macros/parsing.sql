{#- How the warehouse reads printed text: one definition, used by the dbt models and, rendered
    with plain Jinja, by the Python that reads documents and returns (orchestration/sql_macros.py).
    Keep these macros free of dbt built-ins so both can render them. -#}

{#- A spelling-insensitive key: lower case, accents, dashes, slashes and punctuation removed. -#}
{% macro conform_key(expression) -%}
    trim(regexp_replace(
        regexp_replace(
            regexp_replace(lower(strip_accents(coalesce({{ expression }}, ''))), '[–—‒−/-]', ' ', 'g'),
            '[^a-z0-9 ]', '', 'g'),
        '\s+', ' ', 'g'))
{%- endmacro %}

{#- Pounds as a UK document prints them: '£1,234', '£1114', '1,234.50' -> decimal; anything else
    (a letter O for a zero, a decimal comma, a stray symbol) -> null: never a guess. -#}
{% macro parse_gbp(expression) -%}
    try_cast(
        case when regexp_full_match(trim({{ expression }}), '£?\s?(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?')
            then replace(replace(replace(trim({{ expression }}), '£', ''), ',', ''), ' ', '')
        end as decimal(14, 2))
{%- endmacro %}

{#- Millions of pounds to three decimals, as budget figures are printed: '£4.611m' -> 4611000. -#}
{% macro parse_gbp_millions(expression) -%}
    (try_cast(regexp_extract(trim({{ expression }}), '^£\s?(\d+(\.\d+)?)m$', 1) as decimal(14, 4)) * 1000000)
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

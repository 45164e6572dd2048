{# A spelling-insensitive key: lower case, accents, dashes, slashes and punctuation removed.
   The same rule as orchestration.framework_import.text.comparable, so names match whichever side conforms them. #}
{% macro conform_key(expression) -%}
    trim(regexp_replace(
        regexp_replace(
            regexp_replace(lower(strip_accents(coalesce({{ expression }}, ''))), '[–—‒−/-]', ' ', 'g'),
            '[^a-z0-9 ]', '', 'g'),
        '\s+', ' ', 'g'))
{%- endmacro %}

{# '£1,234' or '£1114' or '1,234.50' -> decimal; anything else -> null (never a guess). #}
{% macro parse_gbp(expression) -%}
    try_cast(
        case when regexp_full_match(trim({{ expression }}), '£?\s?(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?')
             then replace(replace(replace(trim({{ expression }}), '£', ''), ',', ''), ' ', '')
        end as decimal(14, 2))
{%- endmacro %}

{# '£4.611m' -> 4611000 #}
{% macro parse_gbp_millions(expression) -%}
    try_cast(regexp_extract(trim({{ expression }}), '^£\s?(\d+(\.\d+)?)m$', 1) as decimal(14, 4)) * 1000000
{%- endmacro %}

{# Blank, '-', and whitespace-only printed cells all mean "nothing printed". #}
{% macro nullif_blank(expression) -%}
    nullif(nullif(trim({{ expression }}), ''), '-')
{%- endmacro %}

{# Reporting periods are UK financial-year quarters written '2016-17 Q1' (Q1 = April to June). #}
{% macro period_first_day(period) -%}
    (make_date(cast(substr({{ period }}, 1, 4) as integer), 4, 1)
        + to_months(3 * (cast(right({{ period }}, 1) as integer) - 1)))::date
{%- endmacro %}

{% macro period_last_day(period) -%}
    ({{ period_first_day(period) }} + to_months(3) - to_days(1))::date
{%- endmacro %}

{% macro period_due_date(period) -%}
    ({{ period_last_day(period) }} + to_days({{ var('return_due_days') }}))::date
{%- endmacro %}

{% macro financial_year(period) -%}
    substr({{ period }}, 1, 7)
{%- endmacro %}

{# Incremental models rebuild only the financial years a partial refresh touched; the Dagster dbt
   asset lists them in audit.refresh_scope (a table, not a dbt var: changing a var would cost dbt a
   full re-parse). A full refresh (--full-refresh), or a first build, takes every year. #}
{% macro incremental_years(expression) -%}
    {%- if is_incremental() -%}
        {{ expression }} in (select financial_year from audit.refresh_scope)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{% macro incremental_by_year_config() -%}
    {{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='financial_year', on_schema_change='fail') }}
{%- endmacro %}

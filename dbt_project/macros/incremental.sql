{# Incremental models rebuild only the financial years a partial refresh touched; the Dagster dbt
   asset lists them in audit.refresh_scope (a table, not a dbt var: changing a var would cost dbt a
   full re-parse). A full refresh (--full-refresh), or a first build, takes every year. #}
{% macro incremental_years(expression) -%}
    {%- if is_incremental() -%}
        {{ expression }} in (select financial_year from {{ this.database }}.audit.refresh_scope)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{% macro incremental_by_year_config() -%}
    {{ config(
        materialized='incremental', incremental_strategy='delete+insert', unique_key='financial_year', on_schema_change='fail'
    ) }}
{%- endmacro %}

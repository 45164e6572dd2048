{# The period_basis of a figure for a period itself, by the period's kind (opcc/core/periods.py):
   'quarter', 'half_year' or 'year'. Quarters and half-years also add up to a 'year_to_date'. #}
{% macro period_basis_of(period_kind) -%}
    case {{ period_kind }} when 'quarter' then 'quarter' when 'half-year' then 'half_year' else 'year' end
{%- endmacro %}

{#- The financial year a period is of: '2016-17 Q1', '2016-17 H2' and '2016-17' are all of '2016-17'.
    The period grammar is opcc/core/periods.py's (a test keeps the two in step); periods reach SQL
    already written that way (the calendar raw.reporting_periods, the return folders). -#}
{% macro financial_year_of(period) -%}
    left({{ period }}, 7)
{%- endmacro %}

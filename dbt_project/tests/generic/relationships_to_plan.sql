{% test relationships_to_plan(model, to, columns, to_columns=none) %}
{# A composite relationship: every non-null combination of `columns` in the model is a row of `to`
   (as `to_columns`, when named differently there). Codes are unique within a plan, not across
   plans, so a theme, priority or mechanism is known by its plan and its code. #}
    {%- set parent_columns = to_columns or columns -%}
select {% for column in columns %}child.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}
from {{ model }} as child
where {% for column in columns %}child.{{ column }} is not null{% if not loop.last %} and {% endif %}{% endfor %}
    and not exists (
        select 1 from {{ to }} as parent
        where {% for column in columns %}parent.{{ parent_columns[loop.index0] }} = child.{{ column }}{% if not loop.last %} and {% endif %}{% endfor %}
    )
{% endtest %}

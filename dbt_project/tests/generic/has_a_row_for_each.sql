{% test has_a_row_for_each(model, of, columns) %}
{# Completeness: every row of `of` has a row in the model with the same values of `columns`. #}
select {% for column in columns %}expected.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}
from {{ of }} as expected
where not exists (
    select 1 from {{ model }} as actual
    where {% for column in columns %}actual.{{ column }} = expected.{{ column }}{% if not loop.last %} and {% endif %}{% endfor %}
)
{% endtest %}

{% test grain(model, columns=none, column_name=none) %}
{# The model's grain, in one query: one row per `columns` (a key column's own test names no
   columns: the column is the key), none of them ever empty. Each offending key comes back once,
   with how many rows hold it and whether it has an empty part. One test in place of a unique or
   unique_combination test and the not_null tests of the key's columns. #}
    {%- set key = columns or [column_name] -%}
select
    {% for column in key %}{{ column }}, {% endfor %}count(*) as rows_with_this_key,
    {% for column in key %}{{ column }} is null{% if not loop.last %} or {% endif %}{% endfor %} as has_an_empty_part
from {{ model }}
group by {{ key | join(', ') }}
having count(*) > 1 or {% for column in key %}{{ column }} is null{% if not loop.last %} or {% endif %}{% endfor %}
{% endtest %}

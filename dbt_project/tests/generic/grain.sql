{% test grain(model, columns=none, column_name=none, may_be_empty=[]) %}
{# The model's grain, in one query: one row per `columns` (a key column's own test names no
   columns: the column is the key), none of them ever empty except those listed in `may_be_empty`
   (an empty part is then a value of the key like any other: two rows with it still clash). Each
   offending key comes back once, with how many rows hold it and whether it has an empty part.
   One test in place of a unique or unique_combination test and the not_null tests of its columns. #}
    {%- set key = columns or [column_name] -%}
    {%- set required = key | reject('in', may_be_empty) | list -%}
    {%- set empty_part -%}
        {% for column in required %}{{ column }} is null or {% endfor %}false
    {%- endset %}
select
    {% for column in key %}{{ column }}, {% endfor %}count(*) as rows_with_this_key,
    {{ empty_part }} as has_an_empty_part
from {{ model }}
group by {{ key | join(', ') }}
having count(*) > 1 or {{ empty_part }}
{% endtest %}

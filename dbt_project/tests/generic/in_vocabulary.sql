{% test in_vocabulary(model, column_name, vocabulary) %}
{# Every value of the column is a word of the vocabulary (the seed `vocabulary`, which the pack and
   workbook read too); an empty value is left to a not_null test. #}
select {{ column_name }} as word_not_in_{{ vocabulary }}
from {{ model }}
where {{ column_name }} is not null
    and {{ column_name }} not in (select word from {{ ref('vocabulary') }} where vocabulary = '{{ vocabulary }}')
{% endtest %}

{% test parses_when_printed(model, column_name, printed_column) %}
{# A printed value that did not parse into its typed column: the reader would silently lose it. #}
select *
from {{ model }}
where nullif(trim({{ printed_column }}), '') is not null
    and {{ column_name }} is null
{% endtest %}

{% test reads_as(model, column_name, printed, meaning, required=false) %}
{# A typed column read from text as printed: every `printed` text that is not blank reads (as
   `meaning`, which the refresh's line quotes), and, when `required`, none is blank. A text that
   does not read leaves the column null beside its printed text, and each such text comes back
   once with how many rows print it: a number or a flag is never guessed. #}
select {{ printed }} as printed, count(*) as rows_printing_it
from {{ model }}
where {{ column_name }} is null{% if not required %} and {{ printed }} is not null{% endif %}
group by {{ printed }}
{% endtest %}

{% test rows_are_accounted_for(model) %}
{# Nothing lost: every row a file held was loaded or quarantined, unless the file was rejected whole. #}
select *
from {{ model }}
where status != 'rejected'
    and rows_read is distinct from rows_loaded + rows_quarantined
{% endtest %}

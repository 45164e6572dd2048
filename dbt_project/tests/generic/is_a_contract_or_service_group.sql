{% test is_a_contract_or_service_group(model, column_name, contracts) %}
{# A return names a contract of the registry, or a service group (contracts that report one count together). #}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
    and {{ column_name }} not in (select contract_id from {{ contracts }})
    and {{ column_name }} not in (select service_group from {{ contracts }} where service_group is not null)
{% endtest %}

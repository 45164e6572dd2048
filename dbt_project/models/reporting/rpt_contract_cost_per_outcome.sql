{{ incremental_by_year_config() }}
-- Per commissioner, period (quarter or year to date), contract and indicator counted: the pack's
-- per-service table and `opcc cost-per-outcome --by contract`: the service and its provider, the
-- spend, what was counted and how many, the cost per unit to the penny and its kind, labelled as a
-- reader says it ('cost per people supported (output)'). Rebuilt by financial year, as the marts it
-- reads: a year's rows read only that year's costs and the framework's contracts.
with costs as (
    select * from {{ ref('fct_contract_cost_per_outcome') }}
    where {{ incremental_years('financial_year') }}
),

contracts as (
    select * from {{ ref('dim_contract') }}
),

service_groups as (
    -- a return made for a service group is one row, named by the group, with its members' providers
    select
        groups.service_group,
        string_agg(distinct members.provider, '; ' order by members.provider) as providers
    from {{ ref('int_service_groups') }} as groups
    inner join contracts as members on members.contract_id = groups.contract_id
    group by groups.service_group
),

indicator_values as (
    select distinct
        indicator_code,
        indicator_name,
        unit,
        better,
        contract_id,
        financial_year
    from {{ ref('fct_indicator_value') }}
    where {{ incremental_years('financial_year') }}
)

select
    costs.commissioner_code,
    costs.funding_stream,
    costs.financial_year,
    costs.period,
    costs.period_basis,
    costs.contract_id,
    coalesce(contracts.initiative_name, costs.contract_id) as service,
    coalesce(contracts.provider, service_groups.providers) as provider,
    costs.indicator_code,
    coalesce(indicator_values.indicator_name, costs.indicator_code) as indicator_name,
    costs.indicator_kind,
    'cost per ' || lower(coalesce(indicator_values.indicator_name, costs.indicator_code))
    || coalesce(' (' || costs.indicator_kind || ')', '') as unit_label,
    costs.spend_gbp,
    costs.value,
    costs.cost_per_unit_gbp,
    costs.not_computed_because,
    -- a count where more is better: a cost per unit means something (rates, money and less-is-better do not)
    coalesce(indicator_values.unit = 'count' and indicator_values.better = 'higher', false) as is_unit_cost
from costs
left join contracts on contracts.contract_id = costs.contract_id
left join service_groups on service_groups.service_group = costs.contract_id
left join indicator_values
    on indicator_values.contract_id = costs.contract_id
    and indicator_values.financial_year = costs.financial_year
    and indicator_values.indicator_code = costs.indicator_code

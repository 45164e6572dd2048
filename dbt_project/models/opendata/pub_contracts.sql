-- The contracts register: one row per contract worth more than the contract_register_threshold_gbp
-- setting per published framework version (allocations not published as grants), with provider,
-- value, term, mechanism, priorities and the commissioning decision it rests on.
with allocations as (
    select * from {{ ref('pub_allocations') }}
)

select
    commissioner_code,
    framework_version,
    financial_year,
    funding_stream,
    contract_id,
    title,
    purpose,
    organisation_name as provider,
    organisation_id as provider_org_id,
    organisation_identified_by as provider_identified_by,
    amount_gbp as value_gbp,
    start_date as term_start,
    end_date as term_end,
    dates_from as term_from,
    programme_title as funding_mechanism,
    mechanism_class,
    strategic_priorities,
    decision_reference,
    is_current_version
from allocations
where in_contracts_register

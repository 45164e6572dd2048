-- One row per grant per published framework version: what the 360Giving file and the Specified
-- Information Order grants register publish. A grant keeps its identifier from version to version
-- of a year (the commissioner's 360Giving prefix, the contract and the year).
with allocations as (
    select * from {{ ref('pub_allocations') }}
)

select
    commissioner_code,
    framework_version,
    financial_year,
    funding_stream,
    contract_id,
    grant_id,
    title,
    description,
    purpose,
    amount_gbp,
    'GBP' as currency,
    award_date,
    start_date,
    end_date,
    dates_from,
    datediff('month', start_date, end_date + 1) as duration_months,
    organisation_name as recipient_name,
    organisation_id as recipient_org_id,
    organisation_identified_by as recipient_identified_by,
    charity_number as recipient_charity_number,
    company_number as recipient_company_number,
    funder_name,
    funder_id,
    funder_identified_by,
    programme_code,
    programme_title,
    programme_description,
    conditions,
    conditions_from,
    reasons,
    strategic_priorities,
    national_outcome_areas,
    decision_reference,
    published_as_because as grant_because,
    is_current_version
from allocations
where published_as = 'grant'

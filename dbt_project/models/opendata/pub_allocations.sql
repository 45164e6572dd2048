-- Every allocation of every published framework version as the open data publishes it: as a grant
-- (its mechanism's national class is a grant class, or the analyst marked it one) or as a contract
-- (in the contracts register when worth more than the contract_register_threshold_gbp setting), with
-- what each register prints: recipient and how it was identified, purpose, conditions, the reasons
-- from the priorities it serves, dates, decision reference. Only fields meant for publication.
with allocations as (
    select * from {{ ref('fct_allocation') }}
),

versions as (
    select * from {{ ref('dim_framework_version') }}
),

commissioners as (
    select * from {{ ref('dim_commissioner') }}
),

contracts as (
    select * from {{ ref('dim_contract') }}
),

mechanisms as (
    select * from {{ ref('dim_funding_mechanism') }}
),

organisations as (
    select * from {{ ref('dim_organisation') }}
),

by_priority as (
    select * from {{ ref('fct_allocation_by_priority') }}
),

priorities as (
    select * from {{ ref('dim_strategic_priority') }}
),

plans as (
    select * from {{ ref('dim_plan') }}
),

calendar as (
    select
        financial_year,
        min(period_start) as year_start,
        max(period_end) as year_end
    from {{ ref('stg_returns__reporting_periods') }}
    group by financial_year
),

details as (
    select * from {{ ref('stg_reference__publication_details') }}
),

rhythms as (
    select * from {{ ref('stg_reference__reporting_rhythms') }}
),

served as (
    -- the priorities each allocation serves, in the order a reader weighs them
    select
        by_priority.commissioner_code,
        by_priority.framework_version,
        by_priority.contract_id,
        string_agg(
            case when priorities.is_plan_priority then priorities.strategic_priority || ' ' else '' end
            || coalesce(priorities.priority_name, by_priority.strategic_priority)
            || case when by_priority.priority_role = 'secondary' then ' (secondary)' else '' end,
            '; ' order by by_priority.share desc, priorities.priority_number asc
        ) as strategic_priorities,
        -- by name: the same areas are listed the same way on every build
        string_agg(
            distinct coalesce(priorities.national_outcome_area_name, priorities.national_outcome_area), '; '
            order by coalesce(priorities.national_outcome_area_name, priorities.national_outcome_area)
        ) as national_outcome_areas
    from by_priority
    left join priorities
        on priorities.plan_code = by_priority.plan_code
        and priorities.strategic_priority = by_priority.strategic_priority
    group by all
),

with_details as (
    -- a row for the allocation's own year wins over a row for every year
    select
        allocations.*,
        details.publish_as,
        details.conditions as conditions_given,
        details.decision_reference as decision_reference_given,
        details.award_date as award_date_given,
        details.start_date as start_date_given,
        details.end_date as end_date_given,
        details.beneficiary_areas
    from allocations
    left join details
        on details.contract_id = allocations.contract_id
        and coalesce(details.financial_year, allocations.financial_year) = allocations.financial_year
    qualify row_number() over (
            partition by allocations.commissioner_code, allocations.framework_version, allocations.contract_id
            order by details.financial_year nulls last
        ) = 1
),

classified as (
    select
        with_details.*,
        case
            when with_details.publish_as is not null then with_details.publish_as
            when with_details.mechanism_class in (select unnest({{ var('grant_mechanism_classes') }})) then 'grant'
            else 'contract'
        end as published_as,
        case
            when with_details.publish_as is not null
                then 'marked as a ' || with_details.publish_as || ' in publication_details.csv'
            else 'funding mechanism of class ' || coalesce(with_details.mechanism_class, 'unknown')
        end as published_as_because,
        {{ conform_key('with_details.provider') }} in (
            select {{ conform_key('unnest(' ~ var('providers_not_yet_named') ~ ')') }}
        ) as provider_not_yet_named
    from with_details
)

select
    classified.commissioner_code,
    classified.framework_version,
    classified.financial_year,
    classified.funding_stream,
    classified.contract_id,
    classified.reporting_rhythm,
    classified.published_as,
    classified.published_as_because,
    classified.published_as = 'contract'
    and classified.allocated_gbp > {{ var('contract_register_threshold_gbp') }} as in_contracts_register,
    case
        when commissioners.grant_id_prefix is not null
            then commissioners.grant_id_prefix || '-' || classified.contract_id || '-' || classified.financial_year
    end as grant_id,
    classified.initiative_name as title,
    coalesce(contracts.description, classified.initiative_name) as description,
    classified.initiative_name || coalesce(': ' || contracts.description, '') as purpose,
    classified.allocated_gbp as amount_gbp,
    classified.provider as organisation_name,
    organisations.org_id as registered_org_id,
    case when not classified.provider_not_yet_named then coalesce(
                organisations.org_id,
                commissioners.grant_id_prefix || '-ORG-'
                || trim(regexp_replace(lower(strip_accents(classified.provider)), '[^a-z0-9]+', '-', 'g'), '-')
            )
    end as organisation_id,
    classified.provider_not_yet_named,
    case
        when classified.provider_not_yet_named then 'no provider named yet'
        when organisations.org_id is not null
            then 'org-id list ' || organisations.org_id_list || ' (' || organisations.org_id_list_name || ')'
                || coalesce(': ' || organisations.identified_from, '') || ', from organisations.csv'
        else 'no registered identifier ('
            || coalesce(organisations.org_id_not_used_because, 'not in organisations.csv')
            || '): made from the commissioner''s 360Giving prefix and the organisation''s name'
    end as organisation_identified_by,
    organisations.charity_number,
    organisations.company_number,
    commissioners.commissioner_name as funder_name,
    coalesce(funder.org_id, commissioners.grant_id_prefix) as funder_id,
    case
        when funder.org_id is not null then 'org-id list ' || funder.org_id_list || ', from organisations.csv'
        else 'no registered identifier: the commissioner''s 360Giving prefix'
    end as funder_identified_by,
    classified.mechanism_code as programme_code,
    classified.funding_mechanism as programme_title,
    mechanisms.how_it_works as programme_description,
    classified.mechanism_class,
    classified.strategic_theme,
    served.strategic_priorities,
    served.national_outcome_areas,
    'It serves ' || coalesce(served.strategic_priorities, 'no strategic priority')
    || ' of the ' || coalesce(plans.plan_name, 'Police and Crime Plan')
    || coalesce(' (national outcome areas: ' || served.national_outcome_areas || ')', '') as reasons,
    -- the reporting condition of the allocation's own rhythm: none stated for one that expects no return
    -- (and where neither the register nor the mechanism states any, the register says so in words:
    -- a register with a blank would read as a condition left out)
    coalesce(
        classified.conditions_given,
        nullif(trim(concat_ws(
            ' ',
            mechanisms.how_it_works || '.',
            replace(rhythms.return_condition, '{return_due_days}', '{{ var("return_due_days") }}')
        )), ''),
        'None stated by the commissioner.'
    ) as conditions,
    case
        when classified.conditions_given is not null then 'publication_details.csv'
        when mechanisms.how_it_works is null and rhythms.return_condition is null then 'none stated'
        else 'the funding mechanism and the return every contract makes'
    end as conditions_from,
    coalesce(classified.award_date_given, versions.document_date) as award_date,
    coalesce(classified.start_date_given, calendar.year_start) as start_date,
    coalesce(classified.end_date_given, calendar.year_end) as end_date,
    case
        when classified.start_date_given is not null or classified.end_date_given is not null then 'publication_details.csv'
        else 'the financial year'
    end as dates_from,
    coalesce(
        classified.decision_reference_given,
        'Commissioning framework ' || classified.framework_version
        || coalesce(', decision of ' || strftime(versions.document_date, '%-d %B %Y'), '')
    ) as decision_reference,
    classified.beneficiary_areas,
    classified.community_safety_partnership,
    contracts.geographical_reach,
    versions.is_latest as is_current_version
from classified
inner join versions
    on versions.commissioner_code = classified.commissioner_code
    and versions.framework_version = classified.framework_version
inner join commissioners on commissioners.commissioner_code = classified.commissioner_code
left join contracts on contracts.contract_id = classified.contract_id
left join mechanisms
    on mechanisms.plan_code = classified.plan_code
    and mechanisms.mechanism_code = classified.mechanism_code
left join plans on plans.plan_code = classified.plan_code
left join organisations on organisations.organisation_name = classified.provider
left join organisations as funder on funder.organisation_name = commissioners.commissioner_name
left join served
    on served.commissioner_code = classified.commissioner_code
    and served.framework_version = classified.framework_version
    and served.contract_id = classified.contract_id
left join calendar on calendar.financial_year = classified.financial_year
left join rhythms on rhythms.reporting_rhythm = classified.reporting_rhythm

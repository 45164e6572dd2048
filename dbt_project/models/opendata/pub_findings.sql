-- What the analyst should know before publishing a commissioner's framework version as open data:
-- each finding names what it is about and what the export did instead. Nothing here stops a
-- refresh; `opcc publish` prints them and writes them beside the files.
with allocations as (
    select * from {{ ref('pub_allocations') }}
),

locations as (
    select * from {{ ref('pub_grant_locations') }}
),

commissioners as (
    select * from {{ ref('dim_commissioner') }}
),

organisations as (
    select * from {{ ref('dim_organisation') }}
),

details as (
    select * from {{ ref('stg_reference__publication_details') }}
),

published as (
    select * from allocations
    where published_as = 'grant' or in_contracts_register
),

unreadable_dates as (
    select
        contract_id,
        financial_year,
        source_file,
        source_row,
        'award_date' as column_name,
        award_date_printed as printed
    from details
    where award_date is null and award_date_printed is not null
    union all
    select
        contract_id,
        financial_year,
        source_file,
        source_row,
        'start_date' as column_name,
        start_date_printed as printed
    from details
    where start_date is null and start_date_printed is not null
    union all
    select
        contract_id,
        financial_year,
        source_file,
        source_row,
        'end_date' as column_name,
        end_date_printed as printed
    from details
    where end_date is null and end_date_printed is not null
),

versions as (
    select distinct
        commissioner_code,
        framework_version
    from allocations
),

findings as (
    select
        published.commissioner_code,
        published.framework_version,
        'organisation' as subject_kind,
        published.organisation_name as subject,
        'no registered organisation identifier ('
        || coalesce(any_value(organisations.org_id_not_used_because), 'not in organisations.csv') || ')'
        || coalesce('; published as ' || any_value(published.organisation_id), '; no 360Giving prefix to make one from')
        || ' (' || string_agg(published.contract_id, ', ' order by published.contract_id) || ')' as finding
    from published
    left join organisations on organisations.organisation_name = published.organisation_name
    where published.registered_org_id is null and not published.provider_not_yet_named
    group by published.commissioner_code, published.framework_version, published.organisation_name

    union all

    select
        versions.commissioner_code,
        versions.framework_version,
        'commissioner' as subject_kind,
        commissioners.commissioner_name as subject,
        case
            when commissioners.grant_id_prefix is null
                then 'no 360Giving prefix in grant_id_prefixes.csv: the 360Giving files are not written (360Giving issues one '
                    || 'to a publisher that registers)'
            else 'no registered organisation identifier for the funder in organisations.csv: the 360Giving files name '
                || 'the funder by its prefix ' || commissioners.grant_id_prefix
        end as finding
    from versions
    inner join commissioners on commissioners.commissioner_code = versions.commissioner_code
    left join organisations
        on organisations.organisation_name = commissioners.commissioner_name
        and organisations.org_id is not null
    where commissioners.grant_id_prefix is null or organisations.org_id is null

    union all

    select
        commissioner_code,
        framework_version,
        'area' as subject_kind,
        area_name as subject,
        case
            when not is_known_area
                then 'beneficiary area ''' || csp_code || ''' in publication_details.csv is not a community safety '
                    || 'partnership of the commissioner: published by name only'
            when area_kind = 'printed_reach'
                then 'no community safety partnership area known for the grant: located by its printed reach, without a code'
            when area_kind = 'community_safety_partnership'
                then 'no ONS code for the community safety partnership area in area_codes.csv: published by name only'
            else 'no ONS code for the council area in area_codes.csv: published by name only'
        end || ' (' || contracts || ')' as finding
    from (
        select
            commissioner_code,
            framework_version,
            area_name,
            area_kind,
            csp_code,
            is_known_area,
            string_agg(distinct contract_id, ', ' order by contract_id) as contracts
        from locations
        where geocode is null
        group by commissioner_code, framework_version, area_name, area_kind, csp_code, is_known_area
    ) as uncoded

    union all

    select
        commissioner_code,
        framework_version,
        'contract' as subject_kind,
        contract_id as subject,
        'no award date known (the framework version prints no decision date): the grant is in the grants register but '
        || 'not in the 360Giving file until publication_details.csv gives its award_date' as finding
    from published
    where published_as = 'grant' and award_date is null

    union all

    select
        commissioner_code,
        framework_version,
        'contract' as subject_kind,
        contract_id as subject,
        'provider not yet named (' || organisation_name || '): the register says so until a provider is awarded it' as finding
    from published
    where provider_not_yet_named

    union all

    select distinct
        allocations.commissioner_code,
        allocations.framework_version,
        'publication detail' as subject_kind,
        unreadable_dates.source_file || ' row ' || unreadable_dates.source_row as subject,
        'column ' || unreadable_dates.column_name || ': ''' || unreadable_dates.printed
        || ''' is not a date (YYYY-MM-DD); the default is published' as finding
    from unreadable_dates
    inner join allocations
        on allocations.contract_id = unreadable_dates.contract_id
        and coalesce(unreadable_dates.financial_year, allocations.financial_year) = allocations.financial_year
)

select
    commissioner_code,
    framework_version,
    subject_kind,
    subject,
    finding
from findings

-- Organisations the analyst has identified (organisations.csv), each identifier judged against the
-- org-id list it names: a list the warehouse recognises, and an identifier of that list's form. An
-- identifier that is not is kept beside why, and the organisation is published as unidentified.
with organisations as (
    select * from {{ ref('stg_reference__organisations') }}
),

lists as (
    select * from {{ ref('stg_reference__org_id_lists') }}
),

matched as (
    -- the longest list code the identifier starts with (GB-LANI before a shorter code)
    select
        organisations.*,
        lists.list_code,
        lists.list_name,
        lists.identifier_pattern
    from organisations
    left join lists on starts_with(organisations.org_id, lists.list_code || '-')
    qualify row_number() over (partition by organisations.organisation_name order by length(lists.list_code) desc nulls last) = 1
)

select
    organisation_name,
    org_id as org_id_printed,
    list_code as org_id_list,
    list_name as org_id_list_name,
    substr(org_id, length(list_code) + 2) as identifier_in_list,
    coalesce(regexp_full_match(substr(org_id, length(list_code) + 2), identifier_pattern), false) as org_id_is_well_formed,
    case when coalesce(regexp_full_match(substr(org_id, length(list_code) + 2), identifier_pattern), false) then org_id end
        as org_id,
    case
        when org_id is null then 'no identifier given'
        when
            list_code is null
            then 'identifier ''' || org_id || ''' names no org-id list the warehouse recognises (org_id_lists.csv)'
        when not regexp_full_match(substr(org_id, length(list_code) + 2), identifier_pattern)
            then 'identifier ''' || org_id || ''' is not of the form of the ' || list_code || ' list (' || list_name || ')'
    end as org_id_not_used_because,
    charity_number,
    company_number,
    identified_from,
    source_file,
    source_row
from matched

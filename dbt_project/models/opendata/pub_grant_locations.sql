-- Where each grant's beneficiaries are: the community safety partnership areas it serves (named in
-- publication_details.csv, else the area its framework line is for), each as the partnership's area
-- and its council's area with their ONS codes where known. A grant with no known area is located by
-- its printed geographical reach, without a code.
with grants as (
    select * from {{ ref('pub_grants') }}
),

allocations as (
    select * from {{ ref('pub_allocations') }}
),

partnerships as (
    select * from {{ ref('dim_community_safety_partnership') }}
),

named as (
    select
        allocations.commissioner_code,
        allocations.framework_version,
        allocations.contract_id,
        trim(area.code) as csp_code,
        area.position
    from allocations,
        unnest(regexp_split_to_array(allocations.beneficiary_areas, '\s*[/,;]\s*')) with ordinality as area (code, position)
    where allocations.beneficiary_areas is not null and trim(area.code) != ''
),

areas as (
    select
        named.commissioner_code,
        named.framework_version,
        named.contract_id,
        named.csp_code,
        named.position
    from named
    union all
    select
        allocations.commissioner_code,
        allocations.framework_version,
        allocations.contract_id,
        partnerships.csp_code,
        1 as position
    from allocations
    inner join partnerships
        on partnerships.commissioner_code = allocations.commissioner_code
        and partnerships.community_safety_partnership = allocations.community_safety_partnership
    where allocations.beneficiary_areas is null
),

located as (
    select
        grants.commissioner_code,
        grants.framework_version,
        grants.grant_id,
        grants.contract_id,
        areas.csp_code,
        areas.position,
        partnerships.community_safety_partnership,
        partnerships.local_authority,
        partnerships.csp_geocode,
        partnerships.council_geocode
    from grants
    inner join areas
        on areas.commissioner_code = grants.commissioner_code
        and areas.framework_version = grants.framework_version
        and areas.contract_id = grants.contract_id
    left join partnerships
        on partnerships.commissioner_code = grants.commissioner_code
        and partnerships.csp_code = areas.csp_code
),

rows_by_kind as (
    select
        commissioner_code,
        framework_version,
        grant_id,
        contract_id,
        csp_code,
        'community_safety_partnership' as area_kind,
        coalesce(community_safety_partnership || ' (community safety partnership area)', csp_code) as area_name,
        csp_geocode as geocode,
        community_safety_partnership is not null as is_known_area,
        position * 2 - 1 as position
    from located
    union all
    select
        commissioner_code,
        framework_version,
        grant_id,
        contract_id,
        csp_code,
        'council_area' as area_kind,
        local_authority || ' area' as area_name,
        council_geocode as geocode,
        true as is_known_area,
        position * 2 as position
    from located
    where local_authority is not null
    union all
    select
        grants.commissioner_code,
        grants.framework_version,
        grants.grant_id,
        grants.contract_id,
        null as csp_code,
        'printed_reach' as area_kind,
        allocations.geographical_reach as area_name,
        null as geocode,
        true as is_known_area,
        1 as position
    from grants
    inner join allocations
        on allocations.commissioner_code = grants.commissioner_code
        and allocations.framework_version = grants.framework_version
        and allocations.contract_id = grants.contract_id
    where allocations.geographical_reach is not null
        and not exists (
            select 1 as found from areas
            where areas.commissioner_code = grants.commissioner_code
                and areas.framework_version = grants.framework_version
                and areas.contract_id = grants.contract_id
        )
)

select
    commissioner_code,
    framework_version,
    grant_id,
    contract_id,
    csp_code,
    area_kind,
    area_name,
    geocode,
    is_known_area,
    row_number() over (partition by commissioner_code, framework_version, contract_id order by position, area_kind) as position
from rows_by_kind

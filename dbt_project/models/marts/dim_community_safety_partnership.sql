-- Community safety partnerships (or council areas) with the partnership grant money the latest
-- published version of their commissioner's framework gives them by area, where it prints that, and
-- the ONS codes of the partnership's area and its council's area where the analyst has given them.
with partnerships as (
    select * from {{ ref('stg_reference__community_safety_partnerships') }}
),

area_codes as (
    select * from {{ ref('stg_reference__area_codes') }}
),

area_rows as (
    select * from {{ ref('int_area_grants__conformed') }}
),

versions as (
    select * from {{ ref('int_framework_versions__published') }}
    where not is_held_back
),

latest as (
    select area_rows.*
    from area_rows
    inner join versions
        on versions.commissioner_code = area_rows.commissioner_code
        and versions.framework_version = area_rows.framework_version
    qualify row_number() over (
            partition by area_rows.commissioner_code, area_rows.community_safety_partnership
            order by versions.financial_year desc, versions.version_number desc
        ) = 1
)

select
    partnerships.csp_code,
    partnerships.csp_name as community_safety_partnership,
    partnerships.local_authority,
    partnerships.commissioner_code,
    latest.framework_version as plf_framework_version,
    latest.plf_allocated_gbp,
    area_codes.csp_geocode,
    area_codes.council_geocode
from partnerships
left join latest
    on latest.community_safety_partnership = partnerships.csp_name
    and latest.commissioner_code = partnerships.commissioner_code
left join area_codes on area_codes.csp_code = partnerships.csp_code

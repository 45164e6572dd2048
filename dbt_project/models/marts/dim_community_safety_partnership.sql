-- The CSPs with their Partnership Locality Fund allocation as each version's PLF table prints it.
with csps as (
    select * from {{ ref('stg_reference__community_safety_partnerships') }}
),

plf as (
    select * from {{ ref('int_plf_allocations__conformed') }}
),

latest as (
    select plf.*
    from plf
    qualify row_number() over (partition by commissioner_code, community_safety_partnership order by version_number desc) = 1
)

select
    csps.csp_code,
    csps.csp_name as community_safety_partnership,
    csps.local_authority,
    csps.commissioner_code,
    latest.framework_version as plf_framework_version,
    latest.plf_allocated_gbp
from csps
left join latest
    on latest.community_safety_partnership = csps.csp_name
    and latest.commissioner_code = csps.commissioner_code

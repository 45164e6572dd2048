-- Commissioners, with the 360Giving publisher prefix each publishes its grants under (if it has one).
with commissioners as (
    select * from {{ ref('stg_reference__commissioners') }}
),

prefixes as (
    select * from {{ ref('stg_reference__grant_id_prefixes') }}
)

select
    commissioners.commissioner_code,
    commissioners.commissioner_name,
    commissioners.police_force_area,
    commissioners.region,
    prefixes.grant_id_prefix
from commissioners
left join prefixes on prefixes.commissioner_code = commissioners.commissioner_code

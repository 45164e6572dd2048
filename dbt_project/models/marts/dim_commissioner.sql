select
    commissioner_code,
    commissioner_name,
    police_force_area,
    region
from {{ ref('stg_reference__commissioners') }}

select
    outcome_area,
    outcome_area_name,
    description
from {{ ref('stg_reference__national_outcome_areas') }}

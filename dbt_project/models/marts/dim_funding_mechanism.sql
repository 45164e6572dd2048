select
    mechanism_code,
    funding_mechanism,
    printed_label,
    how_it_works
from {{ ref('stg_reference__funding_mechanisms') }}

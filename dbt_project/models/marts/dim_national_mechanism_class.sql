select
    mechanism_class,
    mechanism_class_name,
    description
from {{ ref('stg_reference__national_mechanism_classes') }}

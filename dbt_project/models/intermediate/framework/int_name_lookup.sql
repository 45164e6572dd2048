-- One conformed value per (field, spelling key): the analyst's variants first, then the
-- reference data's own names, so a new printing is conformed as soon as it is listed.
with variants as (
    select field, {{ conform_key('printed') }} as printed_key, conformed, note, 1 as precedence
    from {{ ref('stg_reference__name_variants') }}
),

themes as (
    select 'theme' as field, {{ conform_key('theme_name') }} as printed_key, theme_code as conformed, null as note, 2 as precedence
    from {{ ref('stg_reference__strategic_themes') }}
    union all
    select 'theme', {{ conform_key('theme_code') }}, theme_code, null, 3
    from {{ ref('stg_reference__strategic_themes') }}
),

mechanisms as (
    select 'mechanism' as field, {{ conform_key('printed_label') }} as printed_key, mechanism_code as conformed, null as note, 2 as precedence
    from {{ ref('stg_reference__funding_mechanisms') }}
    union all
    select 'mechanism', {{ conform_key('funding_mechanism') }}, mechanism_code, null, 3
    from {{ ref('stg_reference__funding_mechanisms') }}
),

csps as (
    select 'csp' as field, {{ conform_key('csp_name') }} as printed_key, csp_name as conformed, null as note, 2 as precedence
    from {{ ref('stg_reference__community_safety_partnerships') }}
),

all_names as (
    select * from variants
    union all select * from themes
    union all select * from mechanisms
    union all select * from csps
)

select field, printed_key, conformed, note
from all_names
qualify row_number() over (partition by field, printed_key order by precedence) = 1

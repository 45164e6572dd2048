{{ config(meta={'dagster': {'ref': {'name': 'stg_reference__name_variants'}}}) }}
-- A printed spelling listed twice for one commissioner in raw/reference/name_variants.csv with
-- different conformed values would be conformed at random: each must have one answer.
select commissioner_code, field, {{ conform_key('printed') }} as printed_key, count(distinct conformed) as answers
from {{ ref('stg_reference__name_variants') }}
group by all
having count(distinct conformed) > 1

{{ config(meta={'dagster': {'ref': {'name': 'int_name_lookup'}}}) }}
-- A printed spelling listed twice in raw/reference/name_variants.csv with different conformed
-- values would be conformed at random: each (field, spelling) must have one answer.
select field, {{ conform_key('printed') }} as printed_key, count(distinct conformed) as answers
from {{ ref('stg_reference__name_variants') }}
group by all
having count(distinct conformed) > 1

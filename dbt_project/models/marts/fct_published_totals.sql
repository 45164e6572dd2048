-- Every subtotal and total the published versions print, beside the sum of the lines read from the
-- same table. `matches` false means the lines do not add up to the printed figure; `agrees` is
-- true when they do, or when the analyst accepted exactly that difference (with a reason).
with totals as (
    select * from {{ ref('int_published_totals__checked') }}
),

versions as (
    select * from {{ ref('int_framework_versions__published') }}
    where not is_held_back
)

select
    totals.framework_version,
    totals.commissioner_code,
    versions.funding_stream,
    totals.source_table,
    totals.total_kind,
    totals.label_printed,
    totals.theme_code,
    totals.value_printed,
    totals.printed_gbp,
    totals.computed_gbp,
    totals.difference_gbp,
    totals.lines_counted,
    totals.matches,
    totals.agrees,
    totals.difference_accepted_gbp,
    totals.accepted_because,
    totals.source_line
from totals
inner join versions
    on versions.commissioner_code = totals.commissioner_code
    and versions.framework_version = totals.framework_version

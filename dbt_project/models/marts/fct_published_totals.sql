-- Every subtotal and total the documents print, beside the sum of the lines read from the
-- same table. `matches` false means the lines do not add up to the printed figure.
with totals_conformed as (
    select * from {{ ref('int_published_totals__conformed') }}
),

lines as (
    select * from {{ ref('int_allocation_lines__conformed') }}
),

plf as (
    select * from {{ ref('int_plf_allocations__conformed') }}
),

computed as (
    select
        totals_conformed.framework_version,
        totals_conformed.source_table,
        totals_conformed.total_kind,
        totals_conformed.label_printed,
        totals_conformed.theme_code,
        totals_conformed.value_printed,
        totals_conformed.commissioner_code,
        totals_conformed.printed_gbp,
        totals_conformed.source_line,
        case
            when totals_conformed.source_table = 'plf_table' then (
                select sum(plf.plf_allocated_gbp) from plf
                where plf.framework_version = totals_conformed.framework_version
            )
            else (
                select sum(lines.allocated_gbp) from lines
                where lines.framework_version = totals_conformed.framework_version
                    and lines.source_table = totals_conformed.source_table
                    and (totals_conformed.total_kind != 'theme_subtotal' or lines.theme_code = totals_conformed.theme_code)
            )
        end as computed_gbp,
        case
            when totals_conformed.source_table = 'plf_table' then (
                select count(*) from plf where plf.framework_version = totals_conformed.framework_version
            )
            else (
                select count(*) from lines
                where lines.framework_version = totals_conformed.framework_version
                    and lines.source_table = totals_conformed.source_table
                    and (totals_conformed.total_kind != 'theme_subtotal' or lines.theme_code = totals_conformed.theme_code)
            )
        end as lines_counted
    from totals_conformed
)

select
    computed.framework_version,
    computed.commissioner_code,
    computed.source_table,
    computed.total_kind,
    computed.label_printed,
    computed.theme_code,
    computed.value_printed,
    computed.printed_gbp,
    coalesce(computed.computed_gbp, 0) as computed_gbp,
    coalesce(computed.computed_gbp, 0) - computed.printed_gbp as difference_gbp,
    computed.lines_counted,
    computed.printed_gbp is not null and coalesce(computed.computed_gbp, 0) = computed.printed_gbp as matches,
    computed.source_line
from computed

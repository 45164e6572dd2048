with versions as (
    select * from {{ ref('stg_framework__framework_versions') }}
),

lines as (
    select framework_version, count(*) as contracts, sum(allocated_gbp) as allocated_gbp
    from {{ ref('int_framework_lines') }}
    group by framework_version
)

select
    versions.framework_version,
    versions.commissioner_code,
    versions.financial_year,
    versions.version_number,
    versions.document_date,
    versions.source_document,
    coalesce(lines.contracts, 0) as contracts,
    coalesce(lines.allocated_gbp, 0) as allocated_gbp,
    versions.version_number = max(versions.version_number) over (
        partition by versions.commissioner_code, versions.financial_year
    ) as is_latest
from versions
left join lines on lines.framework_version = versions.framework_version

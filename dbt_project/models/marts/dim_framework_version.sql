-- Every framework version: its plan, its line count and total, and what the quality gate made of
-- it. status is 'current' (the latest of its year not held back), 'superseded' (an earlier
-- version) or 'held back' (it failed a blocking rule: held_back_because says which and by how
-- much; its figures are in no other mart). A held-back version published before keeps its last
-- published figures and status, with held_back_note 'held back since <date>: <reason>'.
with versions as (
    select * from {{ ref('int_framework_versions__published') }}
),

lines as (
    select
        commissioner_code,
        framework_version,
        count(*) as contracts,
        sum(allocated_gbp) as allocated_gbp
    from {{ ref('int_framework_lines') }}
    group by all
)

select
    versions.framework_version,
    versions.commissioner_code,
    versions.financial_year,
    versions.version_number,
    versions.funding_stream,
    streams.funding_stream_name,
    versions.fund_name,
    versions.plan_code,
    versions.document_date,
    versions.source_document,
    coalesce(lines.contracts, 0) as contracts,
    coalesce(lines.allocated_gbp, 0) as allocated_gbp,
    versions.is_current as is_latest,
    case
        when versions.is_held_back then 'held back'
        when versions.is_current then 'current'
        else 'superseded'
    end as status,
    versions.held_back_because,
    versions.held_back_note,
    versions.last_published_at
from versions
left join {{ ref('stg_reference__funding_streams') }} as streams on streams.funding_stream = versions.funding_stream
left join lines
    on lines.commissioner_code = versions.commissioner_code
    and lines.framework_version = versions.framework_version

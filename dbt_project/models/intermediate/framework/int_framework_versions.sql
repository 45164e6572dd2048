-- Every framework version with its commissioner, its funding stream (the default stream when its
-- file names none) and the plan in force for its financial year.
-- Every other framework file finds its version by the folder it sits in.
with versions as (
    select * from {{ ref('stg_framework__framework_versions') }}
),

plans as (
    select * from {{ ref('int_plans') }}
)

select
    versions.version_folder,
    versions.commissioner_code,
    versions.framework_version,
    versions.financial_year,
    versions.version_number,
    coalesce(versions.funding_stream, '{{ var("default_funding_stream") }}') as funding_stream,
    versions.fund_name,
    versions.document_date,
    versions.source_document,
    plans.plan_code,
    plans.plan_name
from versions
left join plans
    on plans.commissioner_code = versions.commissioner_code
    and plans.applies_from <= versions.financial_year
    and (plans.applies_until is null or plans.applies_until > versions.financial_year)

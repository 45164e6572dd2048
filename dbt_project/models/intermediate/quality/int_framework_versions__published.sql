-- Every framework version with what the quality gate made of it. A version that failed a rule
-- that holds back is left out of the marts' figures; the latest version of each commissioner's
-- year and funding stream that was not held back is the current one.
with versions as (
    select * from {{ ref('int_framework_versions') }}
),

held_back as (
    select
        commissioner_code,
        framework_version,
        string_agg(rule || coalesce(': ' || detail, ''), '; ' order by suite, rule) as held_back_because
    from {{ ref('stg_audit__held_back_versions') }}
    group by all
),

judged as (
    select
        versions.*,
        held_back.framework_version is not null as is_held_back,
        held_back.held_back_because
    from versions
    left join held_back
        on held_back.commissioner_code = versions.commissioner_code
        and held_back.framework_version = versions.framework_version
)

select
    *,
    not is_held_back and version_number = max(version_number) filter (where not is_held_back) over (
        partition by commissioner_code, financial_year, funding_stream
    ) as is_current
from judged

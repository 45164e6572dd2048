-- Every framework version with what the quality gate made of it. A version that failed a rule
-- that holds back is left out of the marts' figures, unless it was published before: then the
-- gate put its last published rows back and it stays, marked 'held back since <date>: <reason>'.
-- The latest version of each commissioner's year and funding stream in the marts is the current one.
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

kept as (
    select * from {{ ref('stg_audit__kept_versions') }}
),

judged as (
    select
        versions.*,
        held_back.framework_version is not null and kept.framework_version is null as is_held_back,
        held_back.held_back_because,
        kept.published_at as last_published_at,
        case
            when kept.framework_version is not null
                then
                    'held back since ' || strftime(kept.held_back_since, '%Y-%m-%d') || ': '
                    || coalesce(held_back.held_back_because, 'it failed a blocking rule')
        end as held_back_note
    from versions
    left join held_back
        on held_back.commissioner_code = versions.commissioner_code
        and held_back.framework_version = versions.framework_version
    left join kept
        on kept.commissioner_code = versions.commissioner_code
        and kept.framework_version = versions.framework_version
)

select
    *,
    not is_held_back and version_number = max(version_number) filter (where not is_held_back) over (
        partition by commissioner_code, financial_year, funding_stream
    ) as is_current
from judged

-- The held-back versions shown as last published, as the quality gate wrote them (audit.kept_versions).
with source as (
    select * from {{ source('quality_gate', 'kept_versions') }}
),

renamed as (
    select
        commissioner_code,
        framework_version,
        published_sha256,
        published_at,
        held_back_since
    from source
)

select * from renamed

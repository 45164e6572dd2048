-- What the quality gate held back, as the gate wrote it (audit.held_back_versions): one row per
-- framework version and rule it failed.
with source as (
    select * from {{ source('quality_gate', 'held_back_versions') }}
),

renamed as (
    select
        commissioner_code,
        framework_version,
        suite,
        rule,
        detail,
        run_id,
        held_back_at
    from source
)

select * from renamed

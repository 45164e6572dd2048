{{ incremental_by_year_config() }}
-- One row per version of a return file per contract and period it reports on: the files on disk
-- now, and the earlier content of any file that changed after it was loaded. When it was
-- received comes from the submission log, else from the return itself (the workbook's
-- 'Submitted on'), else from when the warehouse first saw that content: never from file
-- modification times. A file whose content changed is a resubmission: its new content counts
-- as received when first seen, whatever the log says of the file. The latest received
-- supersedes earlier ones; all are kept.
with return_rows as (
    select * from {{ ref('stg_returns__provider_returns') }}
    where {{ incremental_years("left(period, 7)") }}
),

superseded_rows as (
    select * from {{ ref('stg_returns__superseded_rows') }}
    where {{ incremental_years("left(period, 7)") }}
),

files as (
    select * from {{ ref('stg_returns__return_files') }}
),

history as (
    select * from {{ ref('stg_returns__file_history') }}
),

log as (
    select * from {{ ref('stg_returns__submission_log') }}
),

current_versions as (
    select
        return_rows.contract_id,
        return_rows.period,
        return_rows.source_file as path,
        files.sha256,
        files.submitted_on,
        files.rows_read as file_rows_read,
        files.rows_quarantined as file_rows_quarantined,
        true as is_on_disk,
        count(*) as rows_loaded,
        max(case when return_rows.measure = 'spend_gbp' then return_rows.value end) as spend_gbp
    from return_rows
    left join files on files.path = return_rows.source_file
    group by all
),

earlier_versions as (
    select
        contract_id,
        period,
        path,
        sha256,
        null::date as submitted_on,
        null::integer as file_rows_read,
        null::integer as file_rows_quarantined,
        false as is_on_disk,
        count(*) as rows_loaded,
        max(case when measure = 'spend_gbp' then value end) as spend_gbp
    from superseded_rows
    group by all
),

versions as (
    select * from current_versions
    union all
    select * from earlier_versions
),

dated as (
    select
        versions.*,
        history.first_seen_at,
        log.received_at as logged_at,
        log.note as log_note,
        -- 1 for a file's first content, 2 and on for content it was changed to after loading
        dense_rank() over (partition by versions.path order by history.first_seen_at, versions.sha256) as content_version
    from versions
    left join history on history.path = versions.path and history.sha256 = versions.sha256
    left join log on log.path = versions.path
),

received as (
    select
        *,
        case
            when content_version > 1 then first_seen_at
            else coalesce(logged_at, submitted_on::timestamp, first_seen_at)
        end as received_at,
        case
            when content_version > 1 then 'first seen by the warehouse: the file changed after it was loaded'
            when logged_at is not null then 'submission log'
            when submitted_on is not null then 'date on the return'
            else 'first seen by the warehouse'
        end as received_according_to
    from dated
)

select
    *,
    left(period, 7) as financial_year,
    row_number() over (partition by contract_id, period order by received_at, path, content_version) as submission_number,
    count(*) over (partition by contract_id, period) as submissions,
    row_number() over (partition by contract_id, period order by received_at desc, path desc, content_version desc)
    = 1 as is_latest,
    min(received_at) over (partition by contract_id, period) as first_received_at
from received

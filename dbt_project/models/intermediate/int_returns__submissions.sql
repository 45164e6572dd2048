-- One row per return file per contract and period it reports on. When it was received comes
-- from the submission log, else from the return itself (the workbook's 'Submitted on'), else
-- from when the warehouse first saw that file's content: never from file modification times.
-- The latest received supersedes earlier ones; all are kept.
with return_rows as (
    select * from {{ ref('stg_returns__provider_returns') }}
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

per_file as (
    select
        contract_id,
        period,
        source_file as path,
        count(*) as rows_loaded,
        max(case when measure = 'spend_gbp' then value end) as spend_gbp
    from return_rows
    group by contract_id, period, source_file
),

received as (
    select
        per_file.*,
        files.sha256,
        files.rows_read as file_rows_read,
        files.rows_quarantined as file_rows_quarantined,
        log.received_at as logged_at,
        log.note as log_note,
        files.submitted_on,
        history.first_seen_at,
        coalesce(log.received_at, files.submitted_on::timestamp, history.first_seen_at) as received_at,
        case
            when log.received_at is not null then 'submission log'
            when files.submitted_on is not null then 'date on the return'
            else 'first seen by the warehouse'
        end as received_according_to
    from per_file
    left join files on files.path = per_file.path
    left join history on history.path = per_file.path and history.sha256 = files.sha256
    left join log on log.path = per_file.path
)

select
    *,
    row_number() over (partition by contract_id, period order by received_at, path) as submission_number,
    count(*) over (partition by contract_id, period) as submissions,
    row_number() over (partition by contract_id, period order by received_at desc, path desc) = 1 as is_latest,
    min(received_at) over (partition by contract_id, period) as first_received_at
from received

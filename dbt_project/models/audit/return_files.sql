-- Every file found under a refreshed period's folder, one row each: its fingerprint, when it was
-- received (and by what evidence), what became of its rows, and whether its figures are in force,
-- superseded by a later submission, or not read (rejected, still being written, not a return) with
-- the reason.
with files as (
    select * from {{ ref('stg_returns__return_files') }}
),

submissions as (
    select
        path,
        string_agg(distinct contract_id, ', ' order by contract_id) as contract_id,
        min(received_at) as received_at,
        min(received_according_to) as received_according_to
    from {{ ref('int_returns__submissions') }}
    where is_on_disk
    group by path
),

used as (
    select distinct source_file as path
    from {{ ref('int_returns__latest_measures') }}
)

select
    files.path,
    files.period,
    submissions.contract_id,
    files.sha256,
    files.size_bytes,
    submissions.received_at,
    submissions.received_according_to,
    files.rows_read,
    files.rows_loaded,
    files.rows_quarantined,
    case
        when files.status = 'loaded' and used.path is null and submissions.path is not null then 'superseded'
        else files.status
    end as status,
    files.reason,
    files.warnings,
    files.loaded_at
from files
left join submissions on submissions.path = files.path
left join used on used.path = files.path

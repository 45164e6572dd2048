-- Every return file read, one row each: its fingerprint, when it was received (and by what
-- evidence), what became of its rows, and whether it is the return the marts use or one a
-- later submission superseded. Rejected files are here too, with the reason.
with files as (
    select * from {{ ref('stg_returns__return_files') }}
),

submissions as (
    select
        path,
        string_agg(distinct contract_id, ', ' order by contract_id) as contract_id,
        min(received_at) as received_at,
        min(received_according_to) as received_according_to,
        bool_or(is_latest) as is_latest
    from {{ ref('int_returns__submissions') }}
    where is_on_disk
    group by path
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
        when files.status = 'loaded' and not coalesce(submissions.is_latest, true) then 'superseded'
        else files.status
    end as status,
    files.reason,
    files.warnings,
    files.loaded_at
from files
left join submissions using (path)

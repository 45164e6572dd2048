{{ incremental_by_year_config() }}
-- Every submission of a return, per contract and period, in order, and which ones count. A
-- submission is a version of a return file (audit.file_history): each content seen at a path,
-- each replacement by a file that cannot be read (or whose every row was quarantined), each
-- removal. It belongs to the contract its readable versions report on (a file is one contract's
-- return).
--
-- When it was received: for a file's first version, the submission log, else the date written on
-- the return ('Submitted on'), else when the warehouse first saw it; for a later version, the date
-- on it, else when first seen (the log line was about the first). A date before the quarter
-- started, or after the warehouse first saw the file, is not evidence: it is set aside and said
-- so. Never file names, never file modification times. Within one file, a later version is
-- always later. A return loaded after the fact (the warehouse first saw any return only after this
-- period's deadline) with neither a log line nor a date on it has no known received date: it is not
-- taken as late (a return of 2016 loaded in 2024 was not 2,700 days late).
--
-- What counts: each file's latest readable version (an unreadable replacement leaves the earlier
-- figures in force; a removed file counts no more), and of those, each measure from the latest
-- that reports it, so a return split over two files is merged, and a full resubmission
-- supersedes the earlier one measure by measure.
with return_rows as (
    select * from {{ ref('stg_returns__provider_returns') }}
    where {{ incremental_years(financial_year_of('period')) }}
),

kept_rows as (
    select * from {{ ref('stg_returns__superseded_rows') }}
    where {{ incremental_years(financial_year_of('period')) }}
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

calendar as (
    select * from {{ ref('stg_returns__reporting_periods') }}
),

-- when the warehouse first saw any return: before then, it was not watching
watching as (
    select min(first_seen_at) as watching_since
    from history
),

-- The version of each file on disk that was read now: its rows are the return rows.
read_now as (
    select
        files.path,
        history.version
    from files
    inner join history on history.path = files.path and history.sha256 = files.sha256
    where files.status = 'loaded'
    qualify row_number() over (partition by files.path order by history.version desc) = 1
),

readable_versions as (
    select
        return_rows.contract_id,
        return_rows.period,
        return_rows.source_file as path,
        read_now.version,
        true as is_on_disk,
        count(*) as rows_loaded,
        list(return_rows.measure order by return_rows.measure) as measures,
        max(case when return_rows.measure = 'spend_gbp' then return_rows.value end) as spend_gbp
    from return_rows
    left join read_now on read_now.path = return_rows.source_file
    group by all
    union all
    select
        contract_id,
        period,
        path,
        version,
        false as is_on_disk,
        count(*) as rows_loaded,
        list(measure order by measure) as measures,
        max(case when measure = 'spend_gbp' then value end) as spend_gbp
    from kept_rows
    group by all
),

-- Each file belongs to the contract and period its latest readable version reports on.
file_owners as (
    select
        path,
        arg_max(contract_id, version) as contract_id,
        arg_max(period, version) as period
    from readable_versions
    group by path
),

-- A file whose versions hold the returns of more than one contract (a path overwritten with another
-- contract's return): each contract keeps the figures of its own latest version there, and every
-- version is flagged, naming the contracts, for a person to confirm.
path_contracts as (
    select
        path,
        'the file ' || path || ' has held the returns of ' || string_agg(contract_id, ' and ' order by first_version)
        || ' (in that order): each contract''s figures are from its own latest version there; confirm with the providers'
            as path_contract_note
    from (
        select
            path,
            contract_id,
            min(version) as first_version
        from readable_versions
        group by all
    ) as by_contract
    group by path
    having count(*) > 1
),

-- Each file's latest version, and whether it is on disk now.
latest_versions as (
    select
        history.path,
        history.version,
        history.status,
        files.path is not null and history.status != 'removed' as is_on_disk
    from history
    left join files on files.path = history.path
    qualify row_number() over (partition by history.path order by history.version desc) = 1
),

-- Versions with nothing to count: a replacement that cannot be read, one whose every row was
-- quarantined, a removal.
unusable_versions as (
    select
        file_owners.contract_id,
        file_owners.period,
        history.path,
        history.version,
        history.status,
        coalesce(latest_versions.version = history.version and latest_versions.is_on_disk, false) as is_on_disk,

        case
            when history.status = 'removed' then 'removed from its folder'
            when history.status = 'rejected' then 'cannot be read: ' || coalesce(history.reason, 'see audit.rejected_files')
            else 'every row was quarantined (see audit.quarantined_rows)'
        end as not_counted_because
    from history
    inner join file_owners on file_owners.path = history.path
    inner join latest_versions on latest_versions.path = history.path
    left join readable_versions
        on readable_versions.path = history.path
        and readable_versions.version = history.version
    where readable_versions.path is null
),

versions as (
    select
        contract_id,
        period,
        path,
        version,
        is_on_disk,
        true as is_readable,
        rows_loaded,
        measures,
        spend_gbp,
        null::varchar as not_counted_because
    from readable_versions
    union all
    select
        contract_id,
        period,
        path,
        version,
        is_on_disk,
        false as is_readable,
        0 as rows_loaded,
        []::varchar[] as measures,
        null::double as spend_gbp,
        not_counted_because
    from unusable_versions
    where {{ incremental_years(financial_year_of('period')) }}
),

dated as (
    select
        versions.*,
        history.sha256,
        history.status as version_status,
        history.first_seen_at,
        history.submitted_on,
        history.submitted_on_printed,
        files.rows_read as file_rows_read,
        files.rows_quarantined as file_rows_quarantined,
        calendar.period_start,
        calendar.due_date,
        case when versions.version = 1 then log.received_at end as logged_at,
        case when versions.version = 1 then log.received_at_printed end as logged_at_printed,
        log.note as log_note
    from versions
    left join history on history.path = versions.path and history.version = versions.version
    left join files on files.path = versions.path and versions.is_on_disk
    left join calendar on calendar.period = versions.period
    left join log on log.path = versions.path
),

-- A date before the quarter started, or after the warehouse first saw the file, cannot be when
-- the return was sent (a day's grace for time zones).
judged as (
    select
        *,
        coalesce(logged_at::date < period_start or logged_at::date > first_seen_at::date + 1, false) as logged_at_implausible,
        coalesce(submitted_on < period_start or submitted_on > first_seen_at::date + 1, false) as submitted_on_implausible
    from dated
),

evidenced as (
    select
        *,
        case
            when logged_at is not null and not logged_at_implausible then logged_at
            when submitted_on is not null and not submitted_on_implausible then submitted_on::timestamp
            else first_seen_at
        end as evidence_at,
        case
            when logged_at is not null and not logged_at_implausible then 'submission log'
            when submitted_on is not null and not submitted_on_implausible then 'date on the return'
            when version > 1 then 'first seen by the warehouse: the file changed after it was loaded'
            else 'first seen by the warehouse'
        end as received_according_to,
        nullif(concat_ws(
            '; ',
            case when logged_at_implausible
                    then 'the submission log says ' || logged_at_printed || ', '
                        || case
                            when logged_at::date < period_start then 'before the quarter started' else
                                'after the warehouse first saw the file'
                        end
                        || ': not used'
            end,
            case when submitted_on_implausible
                    then 'the return says it was submitted on ' || strftime(submitted_on, '%d/%m/%Y') || ', '
                        || case
                            when submitted_on < period_start then 'before the quarter started' else
                                'after the warehouse first saw it'
                        end
                        || ': not used'
            end
        ), '') as implausible_date_note
    from judged
),

received as (
    select
        evidenced.*,
        max(evidenced.evidence_at) over (
            partition by evidenced.path order by evidenced.version rows between unbounded preceding and current row
        ) as received_at,
        -- per contract: a version for another contract at the same path does not supersede this one
        max(case when evidenced.is_readable then evidenced.version end) over (
            partition by evidenced.path, evidenced.contract_id
        ) as latest_readable_version,
        coalesce(latest_versions.status = 'removed', false) as is_file_removed,
        path_contracts.path_contract_note
    from evidenced
    left join latest_versions on latest_versions.path = evidenced.path
    left join path_contracts on path_contracts.path = evidenced.path
),

counted as (
    select
        *,
        is_readable and version = latest_readable_version and not is_file_removed as is_in_force
    from received
),

-- Across files, by evidence; a tie is broken by when first seen, then by content fingerprint
-- (arbitrary but stable), never by name, and is flagged for review in fct_contract_quarter.
ordered as (
    select
        *,
        row_number() over (
            partition by contract_id, period order by received_at, first_seen_at, version, sha256
        ) as submission_number
    from counted
)

select
    {{ financial_year_of('period') }} as financial_year,
    contract_id,
    period,
    path,
    version,
    sha256,
    is_on_disk,
    is_readable,
    is_in_force,
    not_counted_because,
    rows_loaded,
    measures,
    spend_gbp,
    file_rows_read,
    file_rows_quarantined,
    first_seen_at,
    submitted_on,
    logged_at,
    log_note,
    received_at,
    received_according_to,
    implausible_date_note,
    path_contract_note,
    due_date,
    -- no log line and no date on the return, and first seen only once the warehouse started watching,
    -- after the deadline: when it was received is not known
    received_according_to like 'first seen%' and watching_since::date > due_date as is_received_date_unknown,
    bool_and(received_according_to like 'first seen%' and watching_since::date > due_date) filter (where is_readable) over (
        partition by contract_id, period
    ) as is_first_received_date_unknown,
    submission_number,
    count(*) filter (where version_status != 'removed') over (partition by contract_id, period) as submissions,
    min(received_at) filter (where is_readable) over (partition by contract_id, period) as first_received_at,
    max(submission_number) filter (where is_in_force) over (partition by contract_id, period) = submission_number as is_latest,
    max(submission_number) filter (where version_status != 'removed') over (partition by contract_id, period)
    = submission_number
    and not is_readable as is_rejected_resubmission
from ordered
cross join watching

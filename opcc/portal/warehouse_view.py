"""What the portal shows of the warehouse: read-only, one connection per request.

Each request opens the published warehouse file afresh (read-only, no external access), so a
refresh's atomic swap is picked up by the next page and never disturbs one being built. Which
contracts exist, and whose they are, comes from the contract registry in the raw folder (the file
the refresh reads), so a contract is known before its first refresh.

Returns due follow each contract's reporting rhythm (marts.dim_contract.reporting_rhythm when the
warehouse has it, else quarterly): the warehouse's own view of every return it expects, plus the
periods of the rhythm that have started since and are not in it yet.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from opcc.core.periods import Period, is_period
from opcc.core.queries import connect_locked
from opcc.core.warehouse import WarehouseUnreadable
from opcc.ingest.raw_tables import RAW_TABLES_BY_NAME, read_raw_table

RHYTHMS = ("quarterly", "half-yearly", "annual", "none")
DEFAULT_RHYTHM = "quarterly"


@dataclass(frozen=True)
class Contract:
    contract_id: str
    commissioner_code: str
    initiative_name: str
    provider: str


@dataclass
class DueReturn:
    period: str
    due_date: date | None
    status: str
    note: str = ""
    latest_received_at: object = None
    latest_file: str = ""
    set_aside: list[dict] = field(default_factory=list)
    rejected_files: list[dict] = field(default_factory=list)

    @property
    def needs_chasing(self) -> bool:
        return self.status not in ("received", "resubmitted", "not due yet") or bool(self.set_aside or self.rejected_files)


def registry(raw: Path) -> dict[str, Contract]:
    """Every contract of the registry (raw/framework/contracts.csv), by id."""
    loaded = read_raw_table(raw, RAW_TABLES_BY_NAME["contracts"])
    if loaded.missing or loaded.bulk is None:
        return {}
    contracts = {}
    for row in loaded.bulk.table.select(["contract_id", "commissioner_code", "initiative_name", "provider"]).to_pylist():
        cid = (row["contract_id"] or "").strip()
        if cid:
            contracts[cid] = Contract(cid, (row["commissioner_code"] or "").strip(), (row["initiative_name"] or "").strip(),
                                      (row["provider"] or "").strip())
    return contracts


def commissioner_codes(raw: Path) -> set[str]:
    loaded = read_raw_table(raw, RAW_TABLES_BY_NAME["commissioners"])
    if loaded.missing or loaded.bulk is None:
        return set()
    return {(c or "").strip() for c in loaded.bulk.table.column("commissioner_code").to_pylist() if c}


@contextlib.contextmanager
def warehouse(live: Path):
    """The published warehouse, read-only, or None while there is none (before the first refresh)."""
    try:
        con = connect_locked(live)
    except (FileNotFoundError, duckdb.Error, WarehouseUnreadable):
        # Before the first refresh, or a damaged file the next refresh recovers: the pages still
        # work, without the warehouse's figures.
        yield None
        return
    try:
        yield con
    finally:
        con.close()


def _columns(con, schema: str, table: str) -> set[str]:
    return {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?", [schema, table]
    ).fetchall()}


def reporting_rhythms(con, contract_ids: list[str]) -> dict[str, str]:
    """Each contract's reporting rhythm: marts.dim_contract.reporting_rhythm when the warehouse has it, else quarterly."""
    rhythms = dict.fromkeys(contract_ids, DEFAULT_RHYTHM)
    if con is not None and contract_ids and "reporting_rhythm" in _columns(con, "marts", "dim_contract"):
        for cid, rhythm in con.execute(
            "select contract_id, reporting_rhythm from marts.dim_contract where list_contains(?, contract_id)", [contract_ids]
        ).fetchall():
            if rhythm in RHYTHMS:
                rhythms[cid] = rhythm
    return rhythms


def reporting_rhythm(con, contract_id: str) -> str:
    return reporting_rhythms(con, [contract_id])[contract_id]


def rhythm_periods(financial_year: str, rhythm: str) -> list[str]:
    """The periods of one financial year a contract of this rhythm reports on (only those the period grammar knows)."""
    candidates = {
        "quarterly": [f"{financial_year} Q{n}" for n in range(1, 5)],
        "half-yearly": [f"{financial_year} H1", f"{financial_year} H2"],
        "annual": [financial_year],
        "none": [],
    }[rhythm]
    known = [p for p in candidates if is_period(p)]
    if candidates and not known:  # a grammar without half-years or years yet: fall back to quarters
        return rhythm_periods(financial_year, DEFAULT_RHYTHM)
    return known


def _due(period: str) -> date | None:
    try:
        return Period.parse(period).due
    except (ValueError, AttributeError):
        return None


def _started(period: str, today: date) -> bool:
    try:
        return Period.parse(period).first_day <= today
    except (ValueError, AttributeError):
        return False


def returns_due(con, contract_id: str, today: date | None = None) -> tuple[str, list[DueReturn]]:
    """(rhythm, the contract's returns by period, newest first) with their status in the warehouse."""
    return returns_due_for(con, [contract_id], today)[contract_id]


def returns_due_for(con, contract_ids: list[str], today: date | None = None) -> dict[str, tuple[str, list[DueReturn]]]:
    """returns_due of many contracts at once (a handful of queries, whatever their number)."""
    today = today or date.today()
    if con is None or not contract_ids:
        return {cid: (DEFAULT_RHYTHM, []) for cid in contract_ids}
    rhythms = reporting_rhythms(con, contract_ids)
    due: dict[str, dict[str, DueReturn]] = {cid: {} for cid in contract_ids}
    for cid, period, deadline, status, note, received, latest in con.execute(
        """
        select contract_id, period, due_date, return_status, coalesce(return_note, ''), latest_received_at,
               coalesce(latest_file, '')
        from marts.fct_contract_quarter where list_contains(?, contract_id) order by contract_id, period
        """,
        [contract_ids],
    ).fetchall():
        due[cid][period] = DueReturn(period, deadline, status, note, received, latest)
    for cid, year in con.execute(
        "select distinct contract_id, trim(financial_year) from staging.stg_reference__targets "
        "where list_contains(?, contract_id) and financial_year is not null order by all",
        [contract_ids],
    ).fetchall():
        for period in rhythm_periods(year, rhythms[cid]):
            if period not in due[cid] and _started(period, today):
                deadline = _due(period)
                status = "missing" if deadline and deadline < today else "not due yet"
                due[cid][period] = DueReturn(period, deadline, status, "not in the warehouse yet")
    owners: dict[str, set[str]] = {}
    for cid, path in con.execute(
        """
        select contract_id, path from marts.fct_return_submissions where list_contains(?, contract_id)
        union select contract_id, path from audit.return_files where list_contains(?, contract_id)
        """,
        [contract_ids, contract_ids],
    ).fetchall():
        owners.setdefault(path, set()).add(cid)
    if owners:
        paths = sorted(owners)
        for period, path, row, column, reason in con.execute(
            """
            select period, path, row_number, column_name, reason from audit.quarantined_rows
            where source_table = 'provider_returns' and list_contains(?, path) order by path, row_number
            """,
            [paths],
        ).fetchall():
            for cid in owners[path]:
                if period in due[cid]:
                    due[cid][period].set_aside.append(
                        {"file": path.rsplit("/", 1)[-1], "row_number": row, "column_name": column, "reason": reason})
        for period, path, reason in con.execute(
            "select period, path, reason from audit.return_files where status = 'rejected' and list_contains(?, path) order by path",
            [paths],
        ).fetchall():
            for cid in owners[path]:
                if period in due[cid]:
                    due[cid][period].rejected_files.append({"file": path.rsplit("/", 1)[-1], "reason": reason})
    return {
        cid: (rhythms[cid], sorted(found.values(), key=lambda d: (d.due_date or date.min, d.period), reverse=True))
        for cid, found in due.items()
    }


def submissions(con, contract_id: str) -> list[dict]:
    """Every submission of the contract's returns the warehouse knows, newest first."""
    if con is None:
        return []
    result = con.execute(
        """
        select period, submission_number, path, sha256, received_at, received_according_to, submission_status,
               coalesce(log_note, '') as log_note, rows_loaded, file_rows_quarantined, is_on_disk,
               coalesce(not_counted_because, '') as not_counted_because
        from marts.fct_return_submissions where contract_id = ?
        order by period desc, submission_number desc
        """,
        [contract_id],
    )
    names = [d[0] for d in result.description]
    found = []
    for row in result.fetchall():
        item = dict(zip(names, row, strict=True))
        item["file"] = (item["path"] or "").rsplit("/", 1)[-1]
        found.append(item)
    return found


def submitted_file(con, raw: Path, contract_id: str, sha256: str) -> Path | None:
    """The file on disk of one of the contract's submissions, found by its fingerprint (never by a name the user gives)."""
    if con is None or not sha256.isalnum():
        return None
    found = con.execute(
        "select path from marts.fct_return_submissions where contract_id = ? and sha256 = ? and is_on_disk limit 1",
        [contract_id, sha256],
    ).fetchone()
    if not found:
        return None
    root = (raw / "returns").resolve()
    path = (raw / found[0]).resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path


def latest_status(con, contract_ids: list[str]) -> dict[str, dict[str, int]]:
    """Per contract, how many of its returns the warehouse holds in each status."""
    if con is None or not contract_ids:
        return {}
    counts: dict[str, dict[str, int]] = {}
    for cid, status, n in con.execute(
        "select contract_id, return_status, count(*) from marts.fct_contract_quarter where list_contains(?, contract_id) group by all",
        [contract_ids],
    ).fetchall():
        counts.setdefault(cid, {})[status] = n
    return counts


def published_at(con) -> object:
    if con is None:
        return None
    with contextlib.suppress(duckdb.Error):
        found = con.execute("select max(published_at) from audit.refreshes").fetchone()
        return found[0] if found else None
    return None

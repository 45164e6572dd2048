"""A held-back version keeps its last published figures: the versions' part of the submission ledger.

When a refresh publishes, the raw rows of every framework version it published (the rows of the
files in the version's folder, as loaded) are kept in the ledger beside the raw folder, once per
content: `published/<sha256>/<raw table>.parquet`, listed in `published_versions.csv`. When a later
refresh holds a version back (it was edited and now fails a blocking rule), the quality gate puts
the version's last published rows back in the raw tables in place of the edited files' rows, so the
marts show the version exactly as last published, marked `held back since <date>: <reason>`. The
date is the first refresh that held back this content (`held_back_versions.csv`), so a rebuild from
raw + ledger gives the same marts. A version never published has nothing kept and stays out.

  published_versions.csv   commissioner_code,framework_version,version_folder,sha256,published_at
  held_back_versions.csv   commissioner_code,framework_version,sha256,held_back_at,reason

Both files are only ever appended to (times UTC, ISO 8601); a snapshot's folder is written once.
"""

from __future__ import annotations

import fcntl
import hashlib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from opcc.core.settings import csv_module
from opcc.ingest.ledger import ledger_dir
from opcc.ingest.raw_tables import FRAMEWORK_TABLES

csv = csv_module()

PUBLISHED = "published_versions.csv"
PUBLISHED_COLUMNS = ("commissioner_code", "framework_version", "version_folder", "sha256", "published_at")
HELD = "held_back_versions.csv"
HELD_COLUMNS = ("commissioner_code", "framework_version", "sha256", "held_back_at", "reason")
SNAPSHOTS = "published"
# The raw tables whose rows come from a version's own folder (not the shared contract registry).
VERSION_TABLES = tuple(spec.name for spec in FRAMEWORK_TABLES if spec.pattern.startswith("framework/*/"))


@dataclass(frozen=True)
class Kept:
    commissioner_code: str
    framework_version: str
    version_folder: str
    published_sha256: str
    published_at: str
    held_back_since: str


def _read(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _append(path: Path, columns: tuple[str, ...], rows: list[tuple]) -> None:
    if not rows:
        return
    new = not path.exists() or path.stat().st_size == 0
    with path.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        if new:
            writer.writerow(columns)
        writer.writerows(rows)


@contextmanager
def _locked(raw: Path):
    folder = ledger_dir(raw)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield folder
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def _now() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def _sql_text(text: str) -> str:
    return text.replace("'", "''")


def version_digests(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], tuple[str, str]]:
    """(commissioner, version) -> (version folder, sha256 of its files as loaded): what a version holds."""
    rows = con.execute(
        """
        select v.commissioner_code, v.framework_version, v.version_folder,
               string_agg(f.path || ':' || coalesce(f.sha256, ''), ',' order by f.path)
        from intermediate.int_framework_versions as v
        join audit.loaded_files as f on split_part(f.path, '/', 1) = 'framework' and split_part(f.path, '/', 2) = v.version_folder
        group by all
        """
    ).fetchall()
    return {(code, version): (folder, hashlib.sha256(files.encode()).hexdigest()) for code, version, folder, files in rows}


def last_published(raw: Path) -> dict[tuple[str, str], dict]:
    """Each version's latest snapshot in the ledger."""
    latest: dict[tuple[str, str], dict] = {}
    for row in _read(ledger_dir(raw) / PUBLISHED):
        latest[(row["commissioner_code"], row["framework_version"])] = row
    return latest


def keep(con: duckdb.DuckDBPyConnection, raw: Path, held: dict[tuple[str, str], str]) -> list[Kept]:
    """Put back the last published rows of every held-back version (version -> why held back) that
    was published before, in place of its files' rows; note since when each is held back."""
    snapshots = last_published(raw)
    digests = version_digests(con)
    kept: list[Kept] = []
    with _locked(raw) as folder:
        noted = _read(folder / HELD)
        seen = {(r["commissioner_code"], r["framework_version"], r["sha256"]) for r in noted}
        new = []
        for (code, version), reason in sorted(held.items()):
            folder_now, sha_now = digests.get((code, version), ("", ""))
            if (code, version, sha_now) not in seen:
                new.append((code, version, sha_now, _now(), reason[:2000]))
            snapshot = snapshots.get((code, version))
            if snapshot is None or not (folder / SNAPSHOTS / snapshot["sha256"]).is_dir():
                continue  # never published: it stays out of the marts
            # Held back since the first refresh after its last publication that held it back, whatever
            # edits came between.
            since = min(
                [r["held_back_at"] for r in noted if (r["commissioner_code"], r["framework_version"]) == (code, version)
                 and r["held_back_at"] >= snapshot["published_at"]]
                + [row[3] for row in new if row[:2] == (code, version)]
            )
            _restore(con, folder / SNAPSHOTS / snapshot["sha256"], folder_now or snapshot["version_folder"])
            kept.append(Kept(code, version, folder_now, snapshot["sha256"], snapshot["published_at"], since))
        _append(folder / HELD, HELD_COLUMNS, new)
    return kept


def _restore(con: duckdb.DuckDBPyConnection, snapshot: Path, version_folder: str) -> None:
    for table in VERSION_TABLES:
        con.execute(f"delete from raw.{table} where split_part(_source_file, '/', 2) = ?", [version_folder])
        kept = snapshot / f"{table}.parquet"
        if kept.exists():
            con.execute(f"insert into raw.{table} by name select * from read_parquet('{_sql_text(str(kept))}')")


def write_kept(con: duckdb.DuckDBPyConnection, kept: list[Kept]) -> None:
    """audit.kept_versions: the held-back versions the marts show as last published (dbt reads it)."""
    con.execute("delete from audit.kept_versions")
    for k in kept:
        con.execute(
            "insert into audit.kept_versions values (?, ?, ?, ?, ?)",
            [k.commissioner_code, k.framework_version, k.published_sha256, k.published_at, k.held_back_since],
        )


def record(con: duckdb.DuckDBPyConnection, raw: Path) -> int:
    """After a publish: keep in the ledger the rows of every version the published warehouse holds
    from its own files (not held back, its commissioner's figures not held back by a check on the
    marts), where the ledger's latest snapshot of it differs. Returns the snapshots written."""
    published = {
        (code, version)
        for code, version in con.execute(
            "select commissioner_code, framework_version from intermediate.int_framework_versions "
            "where commissioner_code not in (select commissioner_code from audit.withheld_outputs where output like 'figures (%') "
            "except select commissioner_code, framework_version from audit.held_back_versions"
        ).fetchall()
    }
    digests = version_digests(con)
    with _locked(raw) as folder:
        latest = {key: row["sha256"] for key, row in last_published(raw).items()}
        rows, targets = [], {}
        for key in sorted(published):
            if key not in digests or latest.get(key) == digests[key][1]:
                continue
            version_folder, sha = digests[key]
            if not (folder / SNAPSHOTS / sha).is_dir():  # the same content, kept before
                targets[version_folder] = folder / SNAPSHOTS / sha
            rows.append((*key, version_folder, sha, _now()))
        _snapshots(con, targets)
        _append(folder / PUBLISHED, PUBLISHED_COLUMNS, rows)
    return len(rows)


def _snapshots(con: duckdb.DuckDBPyConnection, targets: dict[str, Path]) -> None:
    """Each version folder's rows of every version table into its snapshot folder (written as
    `.pending`, then renamed whole). Each table is read once for all the versions: a query per
    version and table scanned the table hundreds of times at national scale."""
    if not targets:
        return
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    pending = {folder: target.with_name(target.name + ".pending") for folder, target in targets.items()}
    for path in pending.values():
        path.mkdir(parents=True, exist_ok=True)
    for table in VERSION_TABLES:
        rows = con.sql(
            f"select * from raw.{table} where split_part(_source_file, '/', 2) in (select unnest(?)) "
            "order by _source_file, _source_row",
            params=[sorted(targets)],
        ).to_arrow_table()
        # Every row read names its version folder second in its path (the query's filter).
        folders = pc.list_element(pc.split_pattern(rows.column("_source_file"), "/", max_splits=2), 1)
        for folder, path in pending.items():
            pq.write_table(rows.filter(pc.equal(folders, folder)), path / f"{table}.parquet")
    for folder, path in pending.items():
        path.rename(targets[folder])


# A blocking check on the marts that one commissioner's rows broke holds back that commissioner alone:
# its rows in the marts, the open data models and the review pack models go back to the last published
# warehouse's, and every other commissioner publishes.
HELD_SCHEMAS = ("marts", "opendata", "reporting")


def failing_commissioners(con: duckdb.DuckDBPyConnection, outcome) -> dict[str, str]:
    """commissioner -> the rules it broke and its rows, for a suite's failed blocking rules; empty when
    a failing row names no commissioner (by its own commissioner_code, or its contract's)."""
    contracts: dict[str, str] | None = None
    found: dict[str, dict[str, list[str]]] = {}
    for result in outcome.failed(blocking=True):
        if not result.failing_keys or len(result.failing_keys) < result.rows_failing:
            return {}
        for keys in result.failing_keys:
            code = keys.get("commissioner_code")
            if code is None and keys.get("contract_id") is not None:
                if contracts is None:
                    contracts = dict(con.execute("select contract_id, commissioner_code from marts.dim_contract").fetchall())
                code = contracts.get(str(keys["contract_id"]))
            if not isinstance(code, str) or not code:
                return {}
            rows = found.setdefault(code, {}).setdefault(result.rule.rule, [])
            rows.append(", ".join(f"{k}={_plain(v)}" for k, v in keys.items() if k != "commissioner_code") if len(rows) < 5 else None)
    return {
        code: "; ".join(f"{rule}: {' | '.join(rows[:5])}" + (f" and {len(rows) - 5:,} more" if len(rows) > 5 else "")
                        for rule, rows in rules.items())[:2000]
        for code, rules in found.items()
    }


def _plain(value) -> str:
    return str(value.item() if hasattr(value, "item") else value)


def restore_commissioners(con: duckdb.DuckDBPyConnection, live: Path, codes: list[str]) -> int:
    """These commissioners' rows, in every table of the marts, open data and review pack models, as the
    live (last published) warehouse holds them; none where it holds none. Returns the tables touched."""
    # A table of the commissioners' rows names them by commissioner_code, or else by contract_id.
    tables = con.execute(
        "select t.schema_name, t.table_name, bool_or(c.column_name = 'commissioner_code') "
        "from duckdb_tables() as t join duckdb_columns() as c "
        "on c.database_name = t.database_name and c.schema_name = t.schema_name and c.table_name = t.table_name "
        "where t.database_name = current_database() and c.column_name in ('commissioner_code', 'contract_id') "
        "and t.schema_name in (select unnest(?)) group by all order by 1, 2",
        [list(HELD_SCHEMAS)],
    ).fetchall()
    previous = live.exists()
    if previous:
        con.execute(f"attach '{_sql_text(str(live))}' as last_published (read_only)")
    try:
        contracts = "select contract_id from marts.dim_contract where commissioner_code in (select unnest($codes))"
        if previous:
            contracts += " union select contract_id from last_published.marts.dim_contract where commissioner_code in (select unnest($codes))"
        con.execute(f"create or replace temp table _held_contracts as {contracts}", {"codes": codes})
        for schema, table, by_code in tables:
            whose = "commissioner_code in (select unnest($codes))" if by_code else "contract_id in (select contract_id from _held_contracts)"
            con.execute(f'delete from "{schema}"."{table}" where {whose}', {"codes": codes} if by_code else {})
            if not previous:
                continue
            columns = [
                name for (name,) in con.execute(
                    "select a.column_name from duckdb_columns() as a join duckdb_columns() as b using (schema_name, table_name, column_name) "
                    "where a.database_name = current_database() and b.database_name = 'last_published' "
                    "and a.schema_name = ? and a.table_name = ? order by a.column_index",
                    [schema, table],
                ).fetchall()
            ]
            if ("commissioner_code" if by_code else "contract_id") in columns:
                listed = ", ".join(f'"{c}"' for c in columns)
                con.execute(
                    f'insert into "{schema}"."{table}" ({listed}) select {listed} from last_published."{schema}"."{table}" where {whose}',
                    {"codes": codes} if by_code else {},
                )
    finally:
        con.execute("drop table if exists _held_contracts")
        if previous:
            con.execute("detach last_published")
    return len(tables)

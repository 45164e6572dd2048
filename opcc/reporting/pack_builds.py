"""Review packs built only where their figures changed, the rest in a bounded pool of processes.

A pack's fingerprint is a digest of every row it can read (the commissioner's rows of each
`reporting.rpt_*` table, the tables without a commissioner whole, every rule's result and the
failing rows, the periods loaded, the framework versions and plan priorities), of where its Data
Docs link points, and of the code and models that draw it. A refresh rebuilds a pack when its fingerprint differs from the
one kept beside the published pack (or either is missing); otherwise the published pack already
shows these figures. `opcc report` builds any pack on demand and never asks.

Packs are drawn by pack_workers processes (a pack is CPU-bound Python: its workbook and its
charts): the caller's and worker processes, each opening the build file read-only, so the caller
must hold no other connection to it while they run. A process takes a run of packs of one period
and reads their rows together, one query per table for the whole run (data.PackRows); runs grow
shorter towards the end, so the processes finish together.
"""

from __future__ import annotations

import hashlib
import math
import multiprocessing
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

from opcc.core.settings import DBT_PROJECT_DIR, all_settings, pack_workers
from opcc.reporting.data import PackRows
from opcc.reporting.pack import build_pack, docs_link

FINGERPRINT_FILE = ".fingerprint"  # hidden: published with the pack, never listed as one of its files
REPORTING_CODE = Path(__file__).resolve().parent
REPORTING_MODELS = DBT_PROJECT_DIR / "models" / "reporting"


@dataclass(frozen=True)
class PackJob:
    period: str
    commissioner: str
    staged: Path  # where the pack is written
    final: Path  # where it is read from once published
    fingerprint: str


@dataclass(frozen=True)
class PackResult:
    job: PackJob
    files: tuple[Path, ...] = ()
    error: tuple[str, str] | None = None  # the exception's type, and the first line of its message


def _code_digest() -> str:
    digest = hashlib.sha256()
    for folder, pattern in ((REPORTING_CODE, "*.py"), (REPORTING_MODELS, "*")):
        for path in sorted(p for p in folder.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update(repr(sorted(all_settings().items())).encode())
    return digest.hexdigest()


def _row_digests(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, list[tuple]], list[tuple]]:
    """Per commissioner, (table, rows, two order-free digests of its rows) for every reporting table;
    and the same for what every pack reads whole."""
    columns: dict[str, list[str]] = {}
    for table, column, kind in con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'reporting' order by table_name, ordinal_position"
    ).fetchall():
        quoted = '"' + column.replace('"', '""') + '"'
        # When rows were loaded is not a figure: a full refresh of the same files loads them anew.
        if kind.startswith("TIMESTAMP"):
            continue
        # A sum of doubles differs in its last bits with the order DuckDB's threads add them in; the
        # pack prints none of those bits.
        columns.setdefault(table, []).append(f"round({quoted}, 6) as {quoted}" if kind in ("DOUBLE", "FLOAT") else quoted)
    mine: dict[str, list[tuple]] = {}
    shared: list[tuple] = []
    aggregate = "count(*), bit_xor(hash(t)), sum(hash(t)::hugeint)::varchar"
    for table, kept in columns.items():
        rows = f'(select {", ".join(kept)} from reporting."{table}") t'
        if '"commissioner_code"' in kept:  # kept as it is: text
            for code, *digest in con.execute(f"select commissioner_code, {aggregate} from {rows} group by 1").fetchall():
                mine.setdefault(code, []).append((table, *digest))
        else:
            shared.append((table, *con.execute(f"select {aggregate} from {rows}").fetchone()))
    for name, sql in (
        # The failing rows a rule lists come in no fixed order: the same rows are the same finding.
        ("rules", "select suite, rule, severity, rows_failing, rows_checked, list_sort(string_split(failing_sample, '; ')) "
                  "from audit.quality_results where not passed"),
        ("rule counts", "select suite, rule, severity, passed from audit.quality_results"),
        ("periods", "select period from raw.return_periods"),
        ("commissioners", "select * from marts.dim_commissioner"),
        ("versions", "select commissioner_code, financial_year, plan_code, is_latest from marts.dim_framework_version"),
        ("priorities", "select plan_code, strategic_priority, strategic_theme, national_outcome_area_name "
                       "from marts.dim_strategic_priority"),
    ):
        shared.append((name, *con.execute(f"select {aggregate} from ({sql}) t").fetchone()))
    return mine, shared


def fingerprints(
    con: duckdb.DuckDBPyConnection, period: str, codes: Iterable[str], data_docs: Path | None, final_root: Path
) -> dict[str, str]:
    """Each commissioner's pack fingerprint for `period` (see the module's docstring)."""
    mine, shared = _row_digests(con)
    code = _code_digest()
    prints = {}
    for commissioner in codes:
        digest = hashlib.sha256(f"{period}\0{commissioner}\0{code}\0".encode())
        digest.update(repr((sorted(mine.get(commissioner, [])), shared)).encode())
        digest.update(str(docs_link(data_docs, final_root / period / commissioner)).encode())
        prints[commissioner] = digest.hexdigest()
    return prints


def is_current(job: PackJob, files: Iterable[str]) -> bool:
    """The published pack was drawn from these very figures, and every file of it is there."""
    kept = job.final / FINGERPRINT_FILE
    try:
        same = kept.read_text(encoding="utf-8").strip() == job.fingerprint
    except OSError:
        return False
    return same and all((job.final / name).exists() for name in files)


def _build(con: duckdb.DuckDBPyConnection | Exception, job: PackJob, data_docs: Path | None, rows: PackRows | None = None) -> PackResult:
    try:
        if isinstance(con, Exception):  # the build could not be opened: every pack says why
            raise con
        html_path, xlsx_path = build_pack(
            con, job.period, job.staged, job.commissioner, data_docs=data_docs, final_dir=job.final, rows=rows
        )
        (job.staged / FINGERPRINT_FILE).write_text(job.fingerprint + "\n", encoding="utf-8")
        return PackResult(job, (html_path, xlsx_path))
    except Exception as error:  # one commissioner's pack that cannot be built is withheld; the others are built
        return PackResult(job, error=(type(error).__name__, str(error).splitlines()[0] if str(error) else ""))


def _build_run(con: duckdb.DuckDBPyConnection | Exception, run: list[PackJob], data_docs: Path | None) -> list[PackResult]:
    """A run of packs of one period, their rows read together."""
    rows = None if isinstance(con, Exception) else PackRows(con, run[0].period, [job.commissioner for job in run])
    return [_build(con, job, data_docs, rows) for job in run]


def runs(jobs: list[PackJob], workers: int, shortest: int = 2) -> list[list[PackJob]]:
    """The jobs in order, cut into runs of one period each: a run is a share of what is left (half of
    what each worker would take), so the last runs are short and no worker is left waiting long for
    another; never shorter than `shortest` (reading a run's rows has a cost of its own) unless the
    period ends."""
    cut: list[list[PackJob]] = []
    start = 0
    while start < len(jobs):
        size = max(shortest, math.ceil((len(jobs) - start) / (2 * workers)))
        run = [jobs[start]]
        for job in jobs[start + 1 : start + size]:
            if job.period != run[0].period:
                break
            run.append(job)
        cut.append(run)
        start += len(run)
    return cut


def _open(build_file: Path) -> duckdb.DuckDBPyConnection | Exception:
    try:
        return duckdb.connect(str(build_file), read_only=True)
    except Exception as error:
        return error


# A worker's one read-only connection to the build, kept for every pack it draws: each pack then finds
# the tables it reads in DuckDB's buffer, not read and decompressed again (a third of a pack's time).
_worker_connection: duckdb.DuckDBPyConnection | Exception | None = None
# Which runs a process has taken, shared by the workers and the caller's process (see build_packs).
_taken = None


def _open_in_worker(build_file: Path, taken) -> None:
    global _worker_connection, _taken
    _worker_connection = _open(build_file)
    _taken = taken


def _take(taken, index: int) -> bool:
    """Take run `index` if no process has taken it yet."""
    with taken.get_lock():
        if taken[index]:
            return False
        taken[index] = 1
        return True


def _build_in_worker(index: int, run: list[PackJob], data_docs: Path | None) -> list[PackResult] | None:
    """The run's packs; None if the caller's process took it first."""
    assert _worker_connection is not None, "the pool's initializer opens the build"
    if not _take(_taken, index):
        return None
    return _build_run(_worker_connection, run, data_docs)


def workers(jobs: int) -> int:
    """The pack_workers setting, never more than the packs to build."""
    return max(1, min(pack_workers(), jobs))


def _in_process(build_file: Path, runs_: list[list[PackJob]], data_docs: Path | None, taken=None) -> dict[int, list[PackResult]]:
    """The runs this process builds (those it takes, when it shares them with workers), by index."""
    con = _open(build_file)
    built = {}
    try:
        for index, run in enumerate(runs_):
            if taken is None or _take(taken, index):
                built[index] = _build_run(con, run, data_docs)
    finally:
        if not isinstance(con, Exception):
            con.close()  # the caller writes to the build next
    return built


def build_packs(build_file: Path, jobs: list[PackJob], data_docs: Path | None) -> list[PackResult]:
    """Build every job's pack from the build file (opened read-only; the caller holds no connection
    to it), in order of the jobs; one pack is built in this process, several in this process and
    worker processes (pack_workers in all).

    The runs of packs are handed to the workers in order, and this process takes them in the same
    order while the workers start (a worker's interpreter takes half a second to import what draws
    a pack): whichever process takes a run first builds it, the others pass it by."""
    count = workers(len(jobs))
    if count <= 1:
        built = _in_process(build_file, runs(jobs, 1, shortest=len(jobs)), data_docs)
        return [result for index in sorted(built) for result in built[index]]
    cut = runs(jobs, count)
    context = multiprocessing.get_context("spawn")
    taken = context.Array("b", len(cut))
    # A fresh interpreter per worker: the refresh's process runs threads (dbt, Dagster) a fork could copy mid-lock.
    # Each worker's connection closes when the pool's processes exit, before this returns.
    with ProcessPoolExecutor(
        max_workers=count - 1, mp_context=context, initializer=_open_in_worker, initargs=(build_file, taken)
    ) as pool:
        futures = [pool.submit(_build_in_worker, index, run, data_docs) for index, run in enumerate(cut)]
        built = _in_process(build_file, cut, data_docs, taken)
        for index, future in enumerate(futures):
            results = future.result()
            if results is not None:
                built[index] = results
    return [result for index in range(len(cut)) for result in built[index]]

"""The live warehouse file, the build file of a refresh, and the lock between refreshes.

DuckDB lets one process write a database file, and while it writes nobody
else can open that file at all. So a refresh never writes the live warehouse:
it builds into a file of its own under `<warehouse dir>/.build/<warehouse file>/` and, once
every blocking check has passed, swaps it in with an atomic rename. Readers
keep whatever file they opened; a refresh that fails or is killed leaves the
live warehouse exactly as it was.

Only one refresh may build at a time; an advisory lock file beside the
warehouse (`opcc.duckdb.lock`) says which process holds it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

BUILD_DIR_NAME = ".build"
REPORTS_DIR_NAME = "reports"


class WarehouseLocked(RuntimeError):
    """Another refresh is writing the warehouse."""


def outputs_dir(live: Path) -> Path:
    """The one folder beside a warehouse file that holds everything made from it: its build, review
    packs, open data, Data Docs, dbt docs, Dagster instance and logs (`opcc.duckdb` -> `opcc.opcc/`),
    so a warehouse kept in a shared folder scatters nothing loose there, and two warehouses in one
    folder (a.duckdb, b.duckdb) share nothing."""
    name = live.stem if live.suffix == ".duckdb" else live.name
    return live.with_name(f"{name}.opcc")


def lock_path(live: Path) -> Path:
    return outputs_dir(live) / "refresh.lock"


def build_dir(live: Path) -> Path:
    """What a refresh makes before it is published: the build file, its dbt target, staged packs."""
    return outputs_dir(live) / BUILD_DIR_NAME


def build_path(live: Path) -> Path:
    """The one file a refresh builds into. One path per warehouse (only one refresh builds at a
    time), so dbt sees the same profile from run to run and can parse partially."""
    return build_dir(live) / f"{live.stem}.build{live.suffix}"


def reports_dir(live: Path) -> Path:
    """Where the published warehouse's review packs are: <outputs>/reports/<period>/<commissioner>/."""
    return outputs_dir(live) / REPORTS_DIR_NAME


def open_data_dir(live: Path) -> Path:
    """Where the published warehouse's open data is: <outputs>/open-data/<commissioner>/<version>/."""
    return outputs_dir(live) / "open-data"


def staged_reports_dir(live: Path) -> Path:
    """Where a refresh writes its packs until its build is published (they never describe an unpublished build)."""
    return build_dir(live) / REPORTS_DIR_NAME


def publish_reports(live: Path) -> list[Path]:
    """Move the packs a build wrote into place beside the warehouse just published; returns their paths
    (not those of hidden files that travel with them, such as a pack's fingerprint)."""
    staged = staged_reports_dir(live)
    if not staged.is_dir():
        return []
    published = []
    for path in sorted(p for p in staged.rglob("*") if p.is_file()):
        target = reports_dir(live) / path.relative_to(staged)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        if not path.name.startswith("."):
            published.append(target)
    shutil.rmtree(staged, ignore_errors=True)
    return published


def dbt_target_path(live: Path) -> Path:
    return build_dir(live) / "dbt-target"


def refresh_log_path(live: Path) -> Path:
    return outputs_dir(live) / "refresh.log"


def failed_path(live: Path) -> Path:
    return outputs_dir(live) / f"{live.stem}.failed{live.suffix}"


@dataclass
class LockHolder:
    pid: int
    since: str
    purpose: str

    def describe(self) -> str:
        return f"process {self.pid} ({self.purpose}) since {self.since}"


def read_lock_holder(live: Path) -> LockHolder | None:
    try:
        data = json.loads(lock_path(live).read_text() or "{}")
        return LockHolder(int(data["pid"]), data["since"], data.get("purpose", "refresh"))
    except (OSError, ValueError, KeyError):
        return None


class WriterLock:
    """An exclusive flock held for the life of a refresh; released by the kernel if the process dies."""

    def __init__(self, live: Path, purpose: str = "refresh"):
        self.live = live
        self.purpose = purpose
        self._handle = None

    def acquire(self, timeout_seconds: float = 0.0, poll_seconds: float = 0.5) -> None:
        self.live.parent.mkdir(parents=True, exist_ok=True)
        lock_path(self.live).parent.mkdir(parents=True, exist_ok=True)
        handle = open(lock_path(self.live), "a+")  # noqa: SIM115 - held open on purpose until release()
        deadline = time.monotonic() + timeout_seconds
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.close()
                    holder = read_lock_holder(self.live)
                    who = holder.describe() if holder else "another process"
                    raise WarehouseLocked(
                        f"the warehouse {self.live} is being refreshed by {who}; "
                        "wait for it to finish (or pass --wait SECONDS)"
                    ) from None
                time.sleep(poll_seconds)
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "since": _now(), "purpose": self.purpose}))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                self._handle.seek(0)
                self._handle.truncate()
                fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    @property
    def held(self) -> bool:
        return self._handle is not None


def is_locked(live: Path) -> bool:
    if not lock_path(live).exists():
        return False
    with open(lock_path(live)) as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        return False


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def remove_stale_build(live: Path) -> list[Path]:
    """Delete a build file left by a refresh that died; call only while holding the writer lock."""
    removed = []
    shutil.rmtree(staged_reports_dir(live), ignore_errors=True)
    build = build_path(live)
    for path in (build, build.with_name(build.name + ".wal")):
        if path.exists():
            path.unlink()
            removed.append(path)
    return removed


def start_build(live: Path, build: Path, from_live: bool) -> None:
    """Create the build file: a copy of the live warehouse, or an empty database."""
    build.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (build, build.with_name(build.name + ".wal")):
        leftover.unlink(missing_ok=True)
    if from_live and live.exists():
        copy_file(live, build)
    else:
        duckdb.connect(str(build)).close()


FICLONE = 0x40049409  # Linux's ioctl that makes a file share another's blocks until either is written


def copy_file(source: Path, target: Path) -> None:
    """`target` as a copy of `source`: a clone sharing its blocks where the file system can
    (btrfs, XFS), so a refresh of one quarter writes only the pages it changes; else a kernel copy."""
    with contextlib.suppress(ImportError, OSError):
        import fcntl

        with open(source, "rb") as src, open(target, "wb") as dst:
            fcntl.ioctl(dst.fileno(), FICLONE, src.fileno())
        return
    shutil.copyfile(source, target)


def publish(build: Path, live: Path) -> None:
    """Make the build the live warehouse in one atomic step."""
    with duckdb.connect(str(build)) as con:
        con.execute("CHECKPOINT")
    wal = build.with_name(build.name + ".wal")
    if wal.exists():  # a clean close leaves none; refuse to publish half a database
        raise RuntimeError(f"build {build} still has a write-ahead log after checkpoint; not published")
    _fsync(build)
    live.parent.mkdir(parents=True, exist_ok=True)
    os.replace(build, live)
    _fsync_dir(live.parent)


MIN_FREE_BYTES_TO_KEEP_A_FAILED_BUILD = 64 * 1024 * 1024


def discard_build(build: Path) -> None:
    """Remove a build and its write-ahead log (never the live warehouse)."""
    for path in (build, build.with_name(build.name + ".wal")):
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def keep_failed(build: Path, live: Path) -> Path | None:
    """Keep a failed build beside the warehouse for inspection (replacing the previous one); its packs go.

    On a disk that is (nearly) full the build is removed instead: it is likely cut short, and
    keeping it would keep the disk full."""
    shutil.rmtree(staged_reports_dir(live), ignore_errors=True)
    if not build.exists():
        return None
    try:
        short = shutil.disk_usage(build.parent).free < MIN_FREE_BYTES_TO_KEEP_A_FAILED_BUILD
    except OSError:
        short = True
    if short:
        discard_build(build)
        return None
    target = failed_path(live)
    try:
        os.replace(build, target)
    except OSError:
        discard_build(build)
        return None
    build.with_name(build.name + ".wal").unlink(missing_ok=True)
    return target


def is_disk_error(error: BaseException | str) -> bool:
    """True for a full or read-only disk (or quota), in whatever words the library that met it used."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EFBIG, errno.EACCES):
        return True
    text = str(error)
    return any(
        words in text
        for words in (
            "No space left on device", "Read-only file system", "Disk quota exceeded", "File too large", "Permission denied",
            # SQLite's words (the Dagster instance's run and event storage) for the same disks
            "database or disk is full", "attempt to write a readonly database",
        )
    )


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        _fsync(path)


class WarehouseUnreadable(RuntimeError):
    """The live warehouse file exists but cannot be read (cut short, overwritten, not a database)."""


def damaged_path(live: Path) -> Path:
    """Where a damaged live warehouse is kept aside (never deleted), in its outputs folder:
    opcc.damaged-<UTC time>.duckdb."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return outputs_dir(live) / f"{live.stem}.damaged-{stamp}{live.suffix}"


def unreadable_message(live: Path, error: BaseException) -> str:
    first = (str(error).strip().splitlines() or [type(error).__name__])[0][:300]
    return (
        f"the warehouse {live} cannot be read ({first}): the file is damaged (cut short, or overwritten). "
        f"Recover with: opcc refresh --warehouse {live} (it rebuilds the warehouse from the raw folder and its "
        f"submission ledger, and keeps the damaged file aside as {outputs_dir(live).name}/{live.stem}.damaged-<time>{live.suffix}, "
        "never deleted)"
    )


_IN_USE = re.compile(r"different configuration|Could not set lock|Conflicting lock", re.IGNORECASE)
_HELD_BY = re.compile(r"Conflicting lock is held in .*?\(PID (\d+)\)")


class WarehouseInUse(duckdb.IOException):
    """Another program holds the live warehouse open for writing: DuckDB lets one writer have a file,
    and no one read it meanwhile. A duckdb.Error still, for callers that catch those."""


def in_use_message(live: Path, error: BaseException) -> str:
    held = _HELD_BY.search(str(error))
    who = f"another program (process {held[1]})" if held else "another program"
    return (
        f"the warehouse {live} is open for writing by {who}, and DuckDB lets no one read it meanwhile: "
        "close that program (or let it finish) and try again"
    )


def open_readable(live: Path, config: dict | None = None) -> duckdb.DuckDBPyConnection:
    """The live warehouse opened read-only and proved readable, or WarehouseUnreadable saying what
    happened and the one command that recovers."""
    if not live.exists():
        raise FileNotFoundError(f"no warehouse at {live}; run `opcc refresh` first")
    con = None
    try:
        con = duckdb.connect(str(live), read_only=True, config=config or {})
        con.execute("select count(*) from duckdb_tables()").fetchall()
        con.execute("select count(*) from audit.refreshes").fetchall()
        return con
    except (duckdb.Error, RuntimeError) as error:
        if con is not None:
            with contextlib.suppress(duckdb.Error):
                con.close()
        if isinstance(error, duckdb.CatalogException):  # readable, only older or partial: not damage
            return duckdb.connect(str(live), read_only=True, config=config or {})
        if isinstance(error, duckdb.ConnectionException) or _IN_USE.search(str(error)):
            # The file is fine: this process or another holds it in a way that excludes this
            # connection (another configuration, a writer's lock). Not damage: say it as it is.
            if isinstance(error, duckdb.ConnectionException):
                raise
            raise WarehouseInUse(in_use_message(live, error)) from None
        raise WarehouseUnreadable(unreadable_message(live, error)) from None


def is_unreadable(live: Path) -> str | None:
    """Why the live warehouse cannot be read, or None when it can (or does not exist)."""
    if not live.exists():
        return None
    try:
        open_readable(live).close()
    except WarehouseUnreadable as error:
        return str(error)
    return None


def set_aside(live: Path) -> Path:
    """Move a damaged live warehouse (and its write-ahead log) aside; returns where it went."""
    target = damaged_path(live)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(live, target)
    wal = live.with_name(live.name + ".wal")
    if wal.exists():
        os.replace(wal, target.with_name(target.name + ".wal"))
    return target


@contextlib.contextmanager
def read_only(live: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the live warehouse for reading; a refresh in progress never blocks this."""
    con = open_readable(live)
    try:
        yield con
    finally:
        con.close()

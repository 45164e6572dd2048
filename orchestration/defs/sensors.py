"""Sensor: new or changed files under raw/returns/ start a refresh of just the affected periods.

A period's fingerprint is its files' names, sizes and modification times plus
its lines in the submission log. Modification times only tell the sensor
that something changed; which file is later, and whether it was late, come
from the submission log or the return itself (see int_returns__submissions).

A period with a file modified in the last few seconds (the refresh's own
OPCC_SETTLE_SECONDS) is still being written to: the sensor waits for it to
settle, as the refresh would, rather than start a run that leaves it unread.
"""

import hashlib
import json
import time
from pathlib import Path

import dagster as dg

from opcc.core.settings import csv_module, raw_dir, settle_seconds
from opcc.ingest.returns import period_folders, returns_dir
from orchestration.defs.jobs import refresh_job
from orchestration.defs.resources import START_TAG

csv = csv_module()


def periods_in_motion(raw: Path, settle: float | None = None, now: float | None = None) -> list[str]:
    """Periods with a file modified less than `settle` seconds ago: not to be refreshed yet."""
    settle = settle_seconds() if settle is None else settle
    now = time.time() if now is None else now
    moving = []
    for period in period_folders(raw):
        for path in (returns_dir(raw) / period).iterdir():
            try:
                if now - path.lstat().st_mtime < settle:
                    moving.append(period)
                    break
            except OSError:
                continue
    return moving


def period_fingerprints(raw: Path) -> dict[str, str]:
    log_lines: dict[str, list[str]] = {}
    log = returns_dir(raw) / "submission_log.csv"
    if log.exists():
        with log.open(newline="", encoding="utf-8", errors="replace") as handle:
            for row in csv.reader(handle):
                if row and row[0] != "period":
                    log_lines.setdefault(row[0].strip(), []).append(",".join(row))
    fingerprints = {}
    for period in period_folders(raw):
        digest = hashlib.sha256()
        for path in sorted((returns_dir(raw) / period).iterdir()):
            stat = path.lstat()
            # a name with bytes that are not UTF-8 is hashed as its bytes (encoding it as text raised at every tick)
            digest.update(f"{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode("utf-8", "surrogateescape"))
        for line in sorted(log_lines.get(period, [])):
            digest.update(line.encode())
        fingerprints[period] = digest.hexdigest()[:16]
    return fingerprints


@dg.sensor(
    job=refresh_job,
    minimum_interval_seconds=60,
    description="Refreshes the periods whose return files (or submission log lines) changed since it last looked.",
)
def returns_folder_sensor(context: dg.SensorEvaluationContext):
    previous = json.loads(context.cursor) if context.cursor else {}
    current = period_fingerprints(raw_dir())
    for period in periods_in_motion(raw_dir()):
        # Not yet: the cursor keeps what was last refreshed, so the next tick sees the change.
        if period in previous:
            current[period] = previous[period]
        else:
            current.pop(period, None)
        context.log.info(f"{period}: a file is still being written; waiting for it to settle")
    changed = sorted(p for p in set(current) | set(previous) if current.get(p) != previous.get(p))
    for period in changed:
        yield dg.RunRequest(
            run_key=f"{period}:{current.get(period, 'removed')}",
            partition_key=period,
            tags={START_TAG: "live", "opcc/trigger": "returns_folder_sensor"},
        )
    if not changed:
        yield dg.SkipReason("no return files changed")
    context.update_cursor(json.dumps(current, sort_keys=True))

"""An upload, checked by the return rules and then either put where the refresh reads returns or kept aside.

The rules are `opcc validate-return`'s (return_tools.validate_file, the refresh's own code); the
portal adds one check of its own: a return uploaded on a contract's page is that contract's return,
so a row naming another contract is a problem. An accepted file is written atomically into
raw/returns/<period>/ under a generated name that never overwrites another file, and its line is
added to raw/returns/submission_log.csv (period, file, received_at, note: the uploader as an account
id). A refused file is kept in the portal's refused/ folder with its reason, never under raw/.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import os
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from opcc.core.periods import is_period
from opcc.core.settings import csv_module
from opcc.ingest.return_tools import validate_file
from opcc.ingest.returns import SUBMISSION_LOG, read_returns, returns_dir
from opcc.portal.config import MAX_UPLOAD_BYTES, UPLOAD_SUFFIXES, PortalPaths

csv = csv_module()

SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
LOG_HEADER = ("period", "file", "received_at", "note")


class UploadRefused(ValueError):
    """An upload that is not even looked at: too large, or not a kind of file a return can be."""


@dataclass
class Received:
    accepted: bool
    contract_id: str
    period: str
    stored_name: str
    sha256: str
    size_bytes: int
    received_at: datetime
    reason: str = ""
    rows_ok: int = 0
    problems: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def upload_suffix(name: str) -> str:
    """The kind of an uploaded file, from its name's ending; only one of the allowed endings is ever used."""
    suffix = os.path.splitext(name or "")[1].lower()
    for allowed in UPLOAD_SUFFIXES:
        if suffix == allowed:
            return allowed
    raise UploadRefused(f"only {' or '.join(UPLOAD_SUFFIXES)} files can be uploaded")


def check_identity(contract_id: str, period: str) -> None:
    if not SAFE_ID.match(contract_id or ""):
        raise UploadRefused("not a contract id")
    if not is_period(period or "") or period.strip() != period:
        raise UploadRefused("not a reporting period")


def _contract_problems(path: Path, shown: str, contract_id: str) -> list[dict]:
    """Rows that name another contract than the one the return was uploaded for."""
    bulk = read_returns([(path, shown)])
    if not bulk.files[shown].read:
        return []
    problems = []
    for row in bulk.table.select(["contract_id", "_source_row"]).to_pylist():
        named = (row["contract_id"] or "").strip()
        if named and named != contract_id:
            problems.append({
                "row_number": row["_source_row"],
                "column_name": "contract_id",
                "reason": f"this return was uploaded for {contract_id}, but the row names another contract: "
                "send each contract's return on its own page",
            })
    return problems


def receive(paths: PortalPaths, contract_id: str, period: str, chunks, name: str, account_id: int,
            now: datetime | None = None) -> Received:
    """Check one uploaded file (`chunks`: its bytes, in pieces) and file it as accepted or refused."""
    check_identity(contract_id, period)
    suffix = upload_suffix(name)
    now = now or datetime.now().astimezone()
    paths.incoming.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex
    incoming = paths.incoming / f"{token}{suffix}"
    digest, size = hashlib.sha256(), 0
    try:
        with open(incoming, "xb") as handle:
            for chunk in chunks:
                size += len(chunk)
                if size > MAX_UPLOAD_BYTES:
                    raise UploadRefused(f"the file is larger than the limit of {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
                digest.update(chunk)
                handle.write(chunk)
        if size == 0:
            raise UploadRefused("the file is empty")
        received = Received(False, contract_id, period, "", digest.hexdigest(), size, now)
        shown = f"returns/{period}/upload{suffix}"
        check = validate_file(incoming, paths.raw, period)
        received.warnings = list(check.report.warnings)
        received.rows_ok = check.rows_ok
        if not check.report.read:
            received.reason = f"the file cannot be read: {check.report.reason}"
        else:
            received.problems = sorted(
                check.problems + _contract_problems(incoming, shown, contract_id),
                key=lambda p: (p["row_number"] or 0, p["column_name"]),
            )
            if received.problems:
                received.reason = f"{len(received.problems)} problem(s) in the rows: nothing was loaded; correct them and upload again"
            elif check.rows_ok == 0:
                received.reason = "the file has no rows"
        if received.reason:
            received.stored_name = _keep_aside(paths, incoming, token, suffix, received, account_id)
        else:
            received.accepted = True
            received.stored_name = file_return(paths, incoming, contract_id, period, suffix, now, account_id)
        return received
    finally:
        with contextlib.suppress(FileNotFoundError):
            incoming.unlink()


def _keep_aside(paths: PortalPaths, incoming: Path, token: str, suffix: str, received: Received, account_id: int) -> str:
    paths.refused.mkdir(parents=True, exist_ok=True)
    stored = f"{token}{suffix}"
    os.replace(incoming, paths.refused / stored)
    (paths.refused / f"{token}.json").write_text(json.dumps({
        "contract_id": received.contract_id, "period": received.period, "account": account_id,
        "received_at": received.received_at.isoformat(timespec="seconds"), "reason": received.reason,
        "problems": received.problems, "sha256": received.sha256,
    }, indent=2), encoding="utf-8")
    return stored


def file_return(paths: PortalPaths, source: Path, contract_id: str, period: str, suffix: str,
                now: datetime, account_id: int) -> str:
    """Put an accepted return into raw/returns/<period>/ atomically, never over another file, and log it."""
    folder = returns_dir(paths.raw) / period
    folder.mkdir(parents=True, exist_ok=True)
    if folder.is_symlink() or not folder.is_dir():
        raise OSError(f"{folder} is not a folder")
    partial = folder / f".portal-{uuid.uuid4().hex}.part"  # hidden: the refresh never reads it
    try:
        with open(source, "rb") as reader, open(partial, "xb") as writer:
            while chunk := reader.read(1 << 20):
                writer.write(chunk)
            writer.flush()
            os.fsync(writer.fileno())
        stamp = now.strftime("%Y%m%d-%H%M%S")
        for attempt in range(1, 1000):
            name = f"{contract_id} portal {stamp}{'' if attempt == 1 else f'-{attempt}'}{suffix}"
            try:
                os.link(partial, folder / name)  # fails if the name is taken: nothing is overwritten
                break
            except FileExistsError:
                continue
        else:
            raise OSError(f"no free file name for {contract_id} in {folder}")
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    append_log(paths.raw, period, name, now, f"uploaded through the portal by account {account_id}")
    return name


def append_log(raw: Path, period: str, name: str, when: datetime, note: str) -> None:
    """Add one line to the submission log, holding a lock on the log itself (no file of its own in
    raw/returns/, where the refresh would report it), keeping its columns and its date format."""
    log = returns_dir(raw) / SUBMISSION_LOG
    with open(log, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        line = io.StringIO()
        writer = csv.writer(line, lineterminator="\n")
        size = handle.seek(0, os.SEEK_END)
        if size == 0:
            writer.writerow(LOG_HEADER)
        writer.writerow((period, name, when.strftime("%Y-%m-%d %H:%M:%S"), note))
        text = line.getvalue()
        if size:
            handle.seek(size - 1)
            if handle.read(1) not in (b"\n", b"\r"):
                text = "\n" + text
        handle.seek(0, os.SEEK_END)
        handle.write(text.encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())

"""The returns folder: everything under raw/returns/ is either read or reported with a reason a
person can act on (`scan_returns_folder`, `discover`): a folder whose name is not quite a period, a
file dropped at the top, a folder for a quarter that has not started, a lock file of a workbook still
open, a tree too deep or too wide to walk."""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from stat import S_ISREG

from opcc.core.periods import PERIOD_PATTERN, Period, partition_periods
from opcc.core.settings import MAX_FOLDER_DEPTH, MAX_FOLDER_ENTRIES, SHOWN_PER_KIND, settle_seconds
from opcc.ingest.csvfiles import NOT_A_FILE, FileReport, recently_modified
from opcc.ingest.filetypes import READABLE_SUFFIXES, refusal
from opcc.ingest.personal_data import quoted, shown_name, stands_in

RETURN_SUFFIXES = READABLE_SUFFIXES
# A file of this name in raw/returns/ marks every return there as illustrative sample data.
SAMPLE_MARKER = "SAMPLE_DATA.md"


SUBMISSION_LOG = "submission_log.csv"


# What the sample generator wrote (period, file, sha256): a return is sample data only while its
# content is what the generator wrote, so the pack's banner follows the data, file by file.
SAMPLE_FILES = "sample_files.csv"


def returns_dir(raw: Path) -> Path:
    return raw / "returns"


def looks_like_period(name: str) -> str | None:
    """The period a folder name seems to mean ('2016-17 q2', '2016-17 Q2 ', '2016_17 Q2' -> '2016-17 Q2';
    '2016-17 h1' -> '2016-17 H1'; '2016_17' -> '2016-17')."""
    match = re.fullmatch(r"\s*(\d{4})\s*[-_/ ]\s*(\d{2})\s*(?:[-_ ]*\s*([qQhH])\s*([1-4]))?\s*", name)
    if not match or (match[3] and match[3].lower() == "h" and match[4] not in "12"):
        return None
    text = f"{match[1]}-{match[2]}" + (f" {match[3].upper()}{match[4]}" if match[3] else "")
    try:
        return str(Period.parse(text))
    except ValueError:
        return None


@dataclass
class FolderScan:
    """What raw/returns/ holds: the period folders to read, and everything else with a reason."""

    periods: list[str] = field(default_factory=list)
    notes: list[FileReport] = field(default_factory=list)


def walk_bounded(folder: Path, max_depth: int = MAX_FOLDER_DEPTH, max_entries: int = MAX_FOLDER_ENTRIES) -> tuple[list[str], str | None]:
    """Every file (or link) below `folder`, as paths relative to it, found without recursion and
    without following links; and why the listing stopped short, if it did (too deep, too many
    entries, a folder that cannot be opened). Never raises."""
    files: list[str] = []
    stopped: str | None = None
    pending: list[tuple[str, int]] = [("", 0)]
    seen = 0
    while pending:
        relative, depth = pending.pop()
        try:
            with os.scandir(folder / relative if relative else folder) as entries:
                listed = sorted(entries, key=lambda e: e.name, reverse=True)
        except OSError as error:
            stopped = stopped or f"folder {quoted(relative or '.', 80)} cannot be opened ({error.strerror or error})"
            continue
        for entry in listed:
            seen += 1
            if seen > max_entries:
                return sorted(files), f"more than {max_entries:,} entries: listing stopped there (the MAX_FOLDER_ENTRIES setting)"
            name = f"{relative}/{entry.name}" if relative else entry.name
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_folder = False
            if not is_folder:
                files.append(name)
            elif depth + 1 >= max_depth:
                stopped = stopped or (
                    f"folders nested more than {max_depth} deep (below {quoted(name, 80)}): not looked into "
                    "(the MAX_FOLDER_DEPTH setting)"
                )
            else:
                pending.append((name, depth + 1))
    return sorted(files), stopped


def _list_inside(folder: Path, shown: str, reason: str, status: str = "rejected") -> list[FileReport]:
    files, stopped = walk_bounded(folder)
    listed = [
        FileReport(path=f"{shown}/" + "/".join(shown_name(part) for part in name.split("/")), status=status, reason=reason)
        for name in files
    ]
    if stopped:
        listed.append(FileReport(path=f"{shown}/…/", status="rejected", reason=f"not listed in full: {stopped}; move the returns out of it"))
    return listed


FULL_LIST = 'the full list: opcc query "select path, status, reason from audit.rejected_files order by path"'


def summarise_not_read(reports: list[FileReport], shown: int = SHOWN_PER_KIND) -> list[str]:
    """Lines for a terminal or a log about files not read: each one when there are few; else how
    many, the first few of each reason, and where the full list is. Never one line per file."""
    if len(reports) <= shown * 2:
        return [f"{r.path}: {r.status}: {r.reason}" for r in reports]
    by_reason: dict[str, list[FileReport]] = {}
    for report in reports:
        by_reason.setdefault(report.reason.split(":", 1)[0][:120], []).append(report)
    lines = [f"{len(reports):,} files or folders under raw/returns/ not read ({len(by_reason):,} kinds of reason); {FULL_LIST}"]
    for reason, group in sorted(by_reason.items(), key=lambda kv: -len(kv[1]))[:shown]:
        first = ", ".join(r.path for r in group[:3])
        more = f" and {len(group) - 3:,} more" if len(group) > 3 else ""
        lines.append(f"{len(group):,} x {group[0].status}: {reason}: {first}{more}")
    if len(by_reason) > shown:
        lines.append(f"and {len(by_reason) - shown:,} other reasons: {FULL_LIST}")
    return lines


def scan_returns_folder(raw: Path, today: date | None = None) -> FolderScan:
    """Sort raw/returns/ into the period folders a refresh reads and notes on everything else.

    A period folder is read when its name is a period ('2016-17 Q2'), the pipeline knows the
    period (from the first_period setting to a year ahead) and the quarter has started. A
    folder that is empty is read once its returns are due (every contract then shows as
    missing); before that it is only noted. Nothing here ever stops a refresh.
    """
    scan = FolderScan()
    folder = returns_dir(raw)
    if not folder.is_dir():
        return scan
    today = today or date.today()
    known = set(partition_periods(today))
    first = min(known, key=Period.parse) if known else None
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            name, shown = entry.name, f"returns/{shown_name(entry.name)}"
            if entry.is_symlink():
                scan.notes.append(FileReport(path=shown, status="rejected", reason="a symbolic link, not a folder or file: copy the returns themselves into raw/returns/<period>/"))
                continue
            if not entry.is_dir():
                if name in (SUBMISSION_LOG, SAMPLE_MARKER, SAMPLE_FILES):
                    continue
                period = looks_like_period(name) or looks_like_period(os.path.splitext(name)[0][-10:])
                where = f"raw/returns/{period}/" if period else "the folder of the quarter it reports on, raw/returns/<period>/ (e.g. raw/returns/2016-17 Q2/)"
                scan.notes.append(FileReport(path=shown, status="rejected", reason=f"a file directly in raw/returns/, where no return is read: move it into {where}"))
                continue
            if not PERIOD_PATTERN.match(name):
                meant = looks_like_period(name)
                if meant:
                    reason = f"folder name {quoted(name, 60)} is not a period as written ('2016-17 Q2'); it looks like {meant}: rename the folder to '{meant}'"
                else:
                    reason = f"folder {quoted(name, 60)} is not a period folder (named like '2016-17 Q2'): its files are not read; move them into their quarter's folder"
                scan.notes.append(FileReport(path=shown, status="rejected", reason=reason))
                scan.notes += _list_inside(Path(entry.path), shown, f"inside folder {quoted(name, 60)}, which is not read: {reason.split(': ', 1)[-1]}")
                continue
            try:
                period = Period.parse(name)
            except ValueError as error:
                scan.notes.append(FileReport(path=shown, status="rejected", reason=f"{error}: its files are not read"))
                scan.notes += _list_inside(Path(entry.path), shown, "inside a folder that is not a period")
                continue
            has_files = any(True for _ in os.scandir(entry.path))
            if name not in known:
                if first is not None and period < Period.parse(first):
                    reason = f"{name} is before the first reporting period the warehouse knows ({first}, the first_period setting): its files are not read"
                else:
                    reason = f"{name} is more than a year ahead: its files are not read until the pipeline knows the quarter"
                scan.notes.append(FileReport(path=shown, status="noted" if not has_files else "rejected", reason=reason))
                scan.notes += _list_inside(Path(entry.path), shown, reason)
            elif period.first_day > today:
                reason = f"{name} has not started yet (it starts on {period.first_day:%d %B %Y}): a return for it cannot be read before then"
                scan.notes.append(FileReport(path=shown, status="noted" if not has_files else "rejected", reason=reason))
                scan.notes += _list_inside(Path(entry.path), shown, reason)
            elif not has_files and period.due >= today:
                scan.notes.append(FileReport(path=shown, status="noted", reason=f"empty folder: no returns yet for {name} (due {period.due:%d %B %Y})"))
            else:
                if not has_files:
                    scan.notes.append(FileReport(path=shown, status="noted", reason=f"empty folder: no return has arrived for {name}, due {period.due:%d %B %Y}"))
                scan.periods.append(name)
    return scan


def period_folders(raw: Path, today: date | None = None) -> list[str]:
    """The period folders a refresh reads (see scan_returns_folder), oldest first."""
    return sorted(scan_returns_folder(raw, today).periods, key=Period.parse)


LOCK_FILE = re.compile(r"^(~\$|\.~lock\.)(?P<name>.+?)(#)?$")


def discover(raw: Path, period: str, settle: float | None = None) -> tuple[list[tuple[Path, str]], list[FileReport]]:
    """Return files directly in raw/returns/<period>/; anything else there is reported, not read.

    The period folder itself must be a real folder, and links inside it are refused, so a
    name in it can only ever point at a file in it. A file modified less than `settle`
    seconds ago is left for the next run (`waiting`).
    """
    folder = returns_dir(raw) / period
    found: list[tuple[Path, str]] = []
    refused: list[FileReport] = []
    if not folder.is_dir() or folder.is_symlink():
        return found, refused
    settle = settle_seconds() if settle is None else settle
    now = time.time()
    prefix = f"returns/{period}/"
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            name = shown_name(entry.name)  # as kept and printed: a name that may be personal data is withheld
            reason, status = None, "rejected"
            lock = LOCK_FILE.match(entry.name)
            if lock:
                reason = (
                    f"the lock file of {quoted(lock['name'], 80)}, which is open in Excel or LibreOffice: the file is read as "
                    "last saved; close it so that what is on screen is what the warehouse reads"
                )
                status = "noted"
            elif entry.name.startswith("."):
                reason = "a hidden or system file, not a return"
                status = "noted"
            elif entry.is_symlink():
                reason = "a symbolic link, not a file: copy the return itself into the folder"
            elif entry.is_dir():
                reason = "a folder inside a period folder: put returns directly in the period folder"
            elif os.path.splitext(entry.name)[1].lower() not in RETURN_SUFFIXES:
                reason = refusal(Path(entry.path)) or f"not a return: expected a .csv or .xlsx file, got {quoted(os.path.splitext(entry.name)[1], 20)}"
            if reason:
                refused.append(FileReport(path=prefix + name, status=status, reason=reason))
                continue
            report = FileReport(path=prefix + name)
            try:
                stat = entry.stat(follow_symlinks=False)
            except OSError as error:
                refused.append(FileReport(path=prefix + name, status="rejected", reason=f"cannot read file: {error.strerror or error}"))
                continue
            if not S_ISREG(stat.st_mode):  # a named pipe would keep the refresh waiting for ever
                refused.append(FileReport(path=prefix + name, status="rejected", reason=NOT_A_FILE))
                continue
            if stat.st_nlink > 1:
                refused.append(FileReport(path=prefix + name, status="rejected", reason=(
                    f"a hard link ({stat.st_nlink} names for one file on disk, so it may be a file from outside raw/): "
                    "not read; copy the return itself into the folder")))
                continue
            if recently_modified(report, stat.st_mtime, settle, now):
                report.size_bytes = stat.st_size
                refused.append(report)
                continue
            found.append((Path(entry.path), prefix + name))
    return found, refused


def disk_path(raw: Path, shown: str) -> Path:
    """The file on disk a path as shown names: itself, or the file whose withheld name it stands for."""
    path = raw / shown
    if stands_in(path.name) and path.parent.is_dir():
        with os.scandir(path.parent) as entries:
            for entry in entries:
                if shown_name(entry.name) == path.name:
                    return Path(entry.path)
    return path

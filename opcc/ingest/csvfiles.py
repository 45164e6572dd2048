"""Read many CSV files of one layout in bulk, keeping every row accounted for.

Each file is read once as bytes (hashed, size-checked, decoded, line endings
normalised); the bodies of all files are then concatenated and parsed in one
pass by Arrow. Record boundaries, field counts and line numbers are found with
numpy over the whole buffer, not with a Python loop over rows, so the cost
grows with bytes rather than with files x rows.

Every data row of every file ends up in exactly one place:
  * `table`: parsed, with `_source_file` and `_source_row` (the line number a
    spreadsheet user would see, header = 1);
  * `quarantined`: with file, row, column and reason;
  * or its whole file is in `rejected` with the reason.
Blank lines (and lines of nothing but commas, as spreadsheets export) are not rows.

A file that changes while it is read (its size or modification time differ
after reading) is still being written: it is left for the next run
(`waiting`), never read in half. Text from a file that could not be parsed
passes the personal-data screen before it is kept anywhere.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import os
import stat
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from opcc.core.audit import FileReport
from opcc.core.settings import MAX_FILE_BYTES, csv_module
from opcc.ingest.filetypes import SNIFF_BYTES, describe
from opcc.ingest.personal_data import fingerprint_line, quoted, screen

csv = csv_module()

MAX_VALUE_CHARS = 2000
UTF8_BOM = b"\xef\xbb\xbf"
NOT_A_FILE = "not a regular file (a named pipe, socket or device): not read; copy the return itself into the folder"


@dataclass
class BulkRead:
    table: pa.Table
    files: dict[str, FileReport]
    quarantined: list[dict]

    @property
    def rejected(self) -> list[FileReport]:
        return [f for f in self.files.values() if not f.read]


@dataclass
class _Body:
    path: str
    data: bytes
    report: FileReport
    layout: tuple[str, ...]


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _decode_check(data: bytes, report: FileReport) -> bytes | None:
    """UTF-8 text, or Windows-1252 as Excel's 'CSV (Comma delimited)' writes it; else rejected."""
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1  # where to look, in a text file a NUL slipped into
        report.status, report.reason = "rejected", f"binary file (contains NUL bytes, the first on line {line}), not a CSV text file"
        return None
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError as error:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            line = data[: error.start].count(b"\n") + 1
            report.status = "rejected"
            report.reason = f"not UTF-8 or Windows-1252 text (byte 0x{data[error.start]:02x} on line {line}); save it as 'CSV UTF-8'"
            return None
        line = data[: error.start].count(b"\n") + 1
        report.warnings.append(f"not UTF-8 (first odd byte on line {line}); read as Windows-1252")
        return text.encode("utf-8")


def still_being_written(report: FileReport, before: os.stat_result, after: os.stat_result, size_read: int) -> bool:
    """True (and the report says so) when the file changed while it was read."""
    if size_read == before.st_size == after.st_size and before.st_mtime_ns == after.st_mtime_ns:
        return False
    report.status = "waiting"
    report.reason = "still being written (its size changed while it was read): left for the next refresh"
    return True


def recently_modified(report: FileReport, mtime: float, settle_seconds: float, now: float | None = None) -> bool:
    """True (and the report says so) when the file was modified less than `settle_seconds` ago."""
    age = (now if now is not None else time.time()) - mtime
    if settle_seconds <= 0 or age >= settle_seconds:
        return False
    report.status = "waiting"
    report.reason = (
        f"modified {max(age, 0):.1f} s before this refresh read it (less than {settle_seconds:g} s): "
        "it may still be being written, so it is left for the next refresh"
    )
    return True


def _header(line: bytes) -> tuple[str, ...]:
    return tuple(c.strip().strip('"').strip().lower() for c in line.decode("utf-8", "replace").split(","))


# size: one bulk read of every CSV: each file read or rejected with its reason, in one pass.
def read_bulk(
    paths: Iterable[tuple[Path, str]],
    columns: Sequence[str],
    *,
    optional_columns: Sequence[str] = (),
    max_file_bytes: int = MAX_FILE_BYTES,
    settle_seconds: float = 0.0,
) -> BulkRead:
    """Read every (path on disk, path to report) pair into one table of `columns` (all strings).

    A file must have every column of `columns` in its header (any order);
    `optional_columns` may be missing (read as empty); other columns are
    ignored with a warning on the file. A file modified less than `settle_seconds` ago, or
    changing while it is read, is left unread with status `waiting`.
    """
    columns = tuple(columns)
    reports: dict[str, FileReport] = {}
    bodies: list[_Body] = []
    expected_header = ",".join(columns).encode() + b"\n"
    for disk_path, shown in paths:
        report = FileReport(path=shown)
        reports[shown] = report
        try:
            # Never through a link: a name swapped for a symbolic link after it was found is not followed.
            # Never waiting on a named pipe either: opened without blocking, read only if a regular file.
            with os.fdopen(os.open(disk_path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)), "rb") as handle:
                before = os.fstat(handle.fileno())
                if not stat.S_ISREG(before.st_mode):
                    report.status, report.reason = "rejected", NOT_A_FILE
                    continue
                size = before.st_size
                report.size_bytes = size
                report.modified_at = before.st_mtime
                if recently_modified(report, before.st_mtime, settle_seconds):
                    continue
                if size > max_file_bytes:
                    report.status = "rejected"
                    report.reason = f"file is {size / 1e6:.1f} MB, over the {max_file_bytes / 1e6:.0f} MB limit for one return; not read"
                    continue
                data = handle.read()
                if still_being_written(report, before, os.fstat(handle.fileno()), len(data)):
                    continue
        except OSError as error:
            report.status, report.reason = "rejected", f"cannot read file: {error.strerror or error}"
            continue
        report.sha256 = sha256_of(data)
        if data.startswith(expected_header) and data.isascii() and b"\r" not in data and b"\x00" not in data:
            # The usual case, a return exactly as specified: no decoding or header parsing needed (a NUL byte,
            # ASCII too, takes the checks below, which refuse it, as for any other file).
            report.columns = list(columns)
            if not data.endswith(b"\n"):
                data += b"\n"
            body = data[len(expected_header) :]
            if b'"' in body and body.count(b'"') % 2:
                line = body[: body.rfind(b'"')].count(b"\n") + 2
                report.status = "rejected"
                report.reason = f"unbalanced quote character (a quoted value is never closed; last quote on line {line})"
                continue
            bodies.append(_Body(shown, body, report, columns))
            continue
        refused = describe(Path(disk_path), data[:SNIFF_BYTES]) if data else None
        if refused:
            report.status, report.reason = "rejected", refused
            continue
        if data.startswith(UTF8_BOM):
            data = data[len(UTF8_BOM) :]
        decoded = _decode_check(data, report)
        if decoded is None:
            continue
        data = decoded.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        if not data.strip(b"\n ,\t"):
            report.status, report.reason = "rejected", "empty file"
            continue
        if not data.endswith(b"\n"):
            data += b"\n"
        cut = data.index(b"\n")
        layout = _header(data[:cut])
        report.columns = list(layout)
        missing = [c for c in columns if c not in layout and c not in optional_columns]
        if missing:
            report.status = "rejected"
            report.reason = (
                f"header is {quoted(data[:cut].decode('utf-8', 'replace'))}; expected columns "
                f"{','.join(columns)} (missing: {', '.join(missing)})"
            )
            continue
        if len(set(layout)) != len(layout):
            report.status, report.reason = "rejected", "header names a column twice"
            continue
        extra = [c for c in layout if c not in columns]
        if extra:
            shown_extra = ", ".join(screen(e[:40]) if e else "(blank)" for e in extra[:10])
            more = f" and {len(extra) - 10} more" if len(extra) > 10 else ""
            report.warnings.append(f"extra columns ignored: {shown_extra}{more}")
        body = data[cut + 1 :]
        if body.count(b'"') % 2:
            line = body[: body.rfind(b'"')].count(b"\n") + 2
            report.status = "rejected"
            report.reason = f"unbalanced quote character (a quoted value is never closed; last quote on line {line})"
            continue
        bodies.append(_Body(shown, body, report, layout))

    quarantined: list[dict] = []
    tables: list[pa.Table] = []
    by_layout: dict[tuple[str, ...], list[_Body]] = {}
    for body in bodies:
        by_layout.setdefault(body.layout, []).append(body)
    for layout, group in by_layout.items():
        table = _parse_group(group, layout, columns, optional_columns, quarantined)
        if table is None:  # quoting the vectorised scan and Arrow disagree on: go file by file
            for body in group:
                single = _parse_group([body], layout, columns, optional_columns, quarantined)
                if single is None:
                    body.report.status = "rejected"
                    body.report.reason = "stray quote characters make the rows ambiguous; quote whole values only"
                    body.report.rows_read = body.report.rows_quarantined = body.report.rows_loaded = 0
                else:
                    tables.append(single)
        else:
            tables.append(table)
    quarantined = [q for q in quarantined if reports[q["path"]].read]
    schema = pa.schema([(c, pa.string()) for c in columns] + [("_source_file", pa.string()), ("_source_row", pa.int32())])
    table = pa.concat_tables([t.select(schema.names).cast(schema) for t in tables]) if tables else schema.empty_table()
    return BulkRead(table=table, files=reports, quarantined=quarantined)


# size: the per-group fallback of the bulk read, kept beside the fast path it mirrors.
def _parse_group(
    group: list[_Body],
    layout: tuple[str, ...],
    columns: tuple[str, ...],
    optional_columns: Sequence[str],
    quarantined: list[dict],
) -> pa.Table | None:
    """Parse the bodies of files sharing one header layout; None if the quoting is ambiguous.

    Nothing is recorded on the files' reports or in `quarantined` unless the
    parse succeeds, so the caller can retry file by file.
    """
    buffer = b"".join(b.data for b in group)
    if not buffer:  # every file of the group is a header and nothing else
        for body in group:
            body.report.status, body.report.reason = "rejected", "header only, no data rows"
        return _empty(columns)
    arr = np.frombuffer(buffer, dtype=np.uint8)
    ends_of_files = np.cumsum([len(b.data) for b in group])
    newlines = np.flatnonzero(arr == 10)
    quotes = np.flatnonzero(arr == 34)
    every_comma = commas = np.flatnonzero(arr == 44)
    if quotes.size:
        record_ends = newlines[np.searchsorted(quotes, newlines) % 2 == 0]
        commas = commas[np.searchsorted(quotes, commas) % 2 == 0]
    else:
        record_ends = newlines
    record_starts = np.concatenate(([0], record_ends[:-1] + 1)).astype(np.int64)
    field_counts = np.searchsorted(commas, record_ends) - np.searchsorted(commas, record_starts) + 1
    blank = (record_ends - record_starts) == (field_counts - 1)  # empty, or nothing but commas
    if quotes.size:
        # A record of nothing but empty quoted fields ('"",""', as some software exports an empty
        # row) is blank too; the rare record of only commas and quotes is decided by the csv module.
        # Counted from the positions already found, not a running count over every byte (which
        # would hold eight bytes per byte of the files at once).
        def within(positions):
            return np.searchsorted(positions, record_ends) - np.searchsorted(positions, record_starts)

        other = (record_ends - record_starts) - within(every_comma) - within(quotes) - within(newlines)
        only_quotes = (~blank) & (other == 0)
        for index in np.flatnonzero(only_quotes):
            text = buffer[record_starts[index] : record_ends[index]].decode("utf-8", "replace")
            fields = next(csv.reader([text.replace("\n", " ")]), [])
            if all(f == "" for f in fields) and "\n" not in text:
                blank[index] = True
    file_index = np.searchsorted(ends_of_files, record_starts, side="right")
    file_starts = np.concatenate(([0], ends_of_files[:-1]))
    line_in_file = np.searchsorted(newlines, record_starts) - np.searchsorted(newlines, file_starts)[file_index] + 2
    width = len(layout)
    bad_width = (~blank) & (field_counts != width)
    keep = (~blank) & (~bad_width)
    kept_count = int(keep.sum())

    parsed = None
    if kept_count:
        if keep.all():
            kept = buffer
        else:
            # Copy the kept records as runs of consecutive records.
            edges = np.flatnonzero(np.diff(np.concatenate(([0], keep.astype(np.int8), [0]))))
            kept = b"".join(
                buffer[record_starts[a] : record_ends[b - 1] + 1] for a, b in zip(edges[::2], edges[1::2], strict=True)
            )
        try:
            parsed = pacsv.read_csv(
                io.BytesIO(kept),
                read_options=pacsv.ReadOptions(column_names=list(layout), block_size=64 << 20),
                parse_options=pacsv.ParseOptions(newlines_in_values=record_ends.size != newlines.size),
                convert_options=pacsv.ConvertOptions(
                    column_types={c: pa.string() for c in layout},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except pa.ArrowInvalid:
            return None
        if parsed.num_rows != kept_count:
            return None

    for index in np.flatnonzero(bad_width):
        text = buffer[record_starts[index] : record_ends[index]].decode("utf-8", "replace")
        kept = fingerprint_line(text)
        hint = ""
        if kept == text and int(field_counts[index]) == width + 1 and width_hint_applies(text):
            hint = " (a value written with a decimal comma or thousands separator must be in double quotes)"
        quarantined.append(
            {
                "path": group[file_index[index]].path,
                "row_number": int(line_in_file[index]),
                "column_name": None,
                "value": kept[:MAX_VALUE_CHARS],
                "reason": f"row has {int(field_counts[index])} fields, the header has {width}{hint}",
            }
        )
    rows_read = np.bincount(file_index[~blank], minlength=len(group))
    rows_bad = np.bincount(file_index[bad_width], minlength=len(group))
    for i, body in enumerate(group):
        body.report.rows_read = int(rows_read[i])
        body.report.rows_quarantined = int(rows_bad[i])
        body.report.rows_loaded = int(rows_read[i] - rows_bad[i])
        if rows_read[i] == 0:
            body.report.status, body.report.reason = "rejected", "header only, no data rows"
    if parsed is None:
        return _empty(columns)
    paths = pa.array([b.path for b in group], pa.string())
    arrays = {c: parsed.column(c) if c in layout else pa.array([""] * kept_count, pa.string()) for c in columns}
    arrays["_source_file"] = paths.take(pa.array(file_index[keep]))
    arrays["_source_row"] = pa.array(line_in_file[keep].astype(np.int32))
    return pa.table(arrays)


def width_hint_applies(line: str) -> bool:
    """A row one field too long where two neighbouring fields are digits: a number split by its comma."""
    fields = line.split(",")
    return any(a.strip().lstrip("£").isdigit() and b.strip().isdigit() for a, b in itertools.pairwise(fields))


def _empty(columns: tuple[str, ...]) -> pa.Table:
    schema = pa.schema([(c, pa.string()) for c in columns] + [("_source_file", pa.string()), ("_source_row", pa.int32())])
    return schema.empty_table()

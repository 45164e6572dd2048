"""Rows in a return file, counted from the file itself, with code that shares nothing with the reader.

The accounting check (assets/returns.py) compares these counts with the rows
the warehouse holds: rows in `raw.provider_returns` plus rows in
`audit.quarantined_rows`, per file. The ingest's own counts are not trusted
for this: a CSV is counted with Python's csv module, a workbook by reading
its sheet XML directly (not through openpyxl), so a fault in the reader
cannot hide itself.

What counts as a row is the file's data rows as a person sees them: every
record after the header that is not empty (a line of nothing but commas, or a
sheet row with no value in its first 30 columns, is not a row).
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from opcc.core.settings import csv_module
from opcc.ingest.filetypes import MAX_COLUMNS

csv = csv_module()

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


@dataclass(frozen=True)
class FileCount:
    rows: int
    sha256: str


def count_csv_rows(data: bytes) -> int:
    """Data records of a CSV (after its header) whose fields are not all empty."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader, None)
    return sum(1 for record in reader if any(field != "" for field in record))


def _column_number(reference: str) -> int:
    letters = re.match(r"[A-Z]+", reference or "")
    number = 0
    for char in letters.group(0) if letters else "":
        number = number * 26 + ord(char) - 64
    return number


def _sheet_rows(archive: zipfile.ZipFile, part: str, strings: list[str]) -> list[tuple[int, list[str]]]:
    """(row number, text of each cell in the first MAX_COLUMNS columns) of every row of a sheet part."""
    rows: dict[int, list[str]] = {}
    with archive.open(part) as handle:
        for _, element in ElementTree.iterparse(handle):
            if element.tag != f"{{{NS['m']}}}row":
                continue
            number = int(element.get("r") or (max(rows) + 1 if rows else 1))
            cells = []
            for cell in element.findall("m:c", NS):
                if _column_number(cell.get("r", "")) > MAX_COLUMNS:
                    continue
                kind = cell.get("t")
                if kind == "inlineStr":
                    text = "".join(t.text or "" for t in cell.iter(f"{{{NS['m']}}}t"))
                else:
                    value = cell.find("m:v", NS)
                    text = value.text or "" if value is not None else ""
                    if kind == "s" and text.strip().isdigit() and int(text) < len(strings):
                        text = strings[int(text)]
                cells.append(text)
            rows[number] = cells
            element.clear()
    return [(n, rows[n]) for n in sorted(rows)]


def count_xlsx_rows(path: Path, preferred_sheet: str = "Return") -> int | None:
    """Rows with a value below the header row ('measure' and 'value') of the return sheet; None if
    no visible sheet has such a header."""
    with zipfile.ZipFile(path) as archive:
        strings = []
        if "xl/sharedStrings.xml" in archive.namelist():
            with archive.open("xl/sharedStrings.xml") as handle:
                root = ElementTree.parse(handle).getroot()
            strings = ["".join(t.text or "" for t in item.iter(f"{{{NS['m']}}}t")) for item in root.findall("m:si", NS)]
        with archive.open("xl/workbook.xml") as handle:
            workbook = ElementTree.parse(handle).getroot()
        with archive.open("xl/_rels/workbook.xml.rels") as handle:
            targets = {rel.get("Id"): rel.get("Target") for rel in ElementTree.parse(handle).getroot().findall(f"{{{PKG_REL}}}Relationship")}
        sheets = []
        for sheet in workbook.iter(f"{{{NS['m']}}}sheet"):
            if (sheet.get("state") or "visible") != "visible":
                continue
            target = targets.get(sheet.get(f"{{{REL_NS}}}id"), "")
            part = target.lstrip("/") if target.startswith("/") else "xl/" + target
            sheets.append((sheet.get("name"), part))
        for _, part in sorted(sheets, key=lambda s: s[0] != preferred_sheet):
            rows = _sheet_rows(archive, part, strings)
            for index, (number, row) in enumerate(rows):
                if number > 60:
                    break
                names = {text.strip().lower() for text in row}
                if "measure" in names and "value" in names:
                    return sum(1 for _, later in rows[index + 1 :] if any(text.strip() for text in later))
    return None


def count_file(path: Path) -> FileCount:
    """Rows of one return file (CSV or XLSX) as the file holds them, and its fingerprint.

    A file that cannot be counted raises ValueError naming why (never another error), so the
    accounting check names the file instead of stopping on it."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    try:
        if path.suffix.lower() == ".xlsx":
            return FileCount(count_xlsx_rows(path) or 0, digest)
        return FileCount(count_csv_rows(data), digest)
    except (csv.Error, zipfile.BadZipFile, ElementTree.ParseError, KeyError, RecursionError) as error:
        raise ValueError(f"cannot be counted: {str(error).splitlines()[0] if str(error) else type(error).__name__}") from None

"""What a file is, from its first bytes: so a file that is not a readable return is refused with
one line saying what it is and what to do, whatever its name says.

Office software saves returns in many forms a provider cannot tell apart by
eye: Excel 97-2003 (.xls) and password-protected workbooks are OLE2 compound
files, OpenDocument (.ods) and macro-enabled (.xlsm) workbooks are zip
archives like .xlsx, 'Unicode Text' is UTF-16, and Excel in a locale with a
decimal comma writes CSV with ';' between columns. The refresh and
`opcc validate-return` both ask `refusal` and print the same line.
"""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

from opcc.ingest.personal_data import printable

READABLE_SUFFIXES = {".csv", ".xlsx"}
SAVE_AS_XLSX = "open it in Excel or LibreOffice and save it as 'Excel Workbook (.xlsx)' or 'CSV UTF-8 (Comma delimited)'"
SAVE_AS_CSV = "open it in Excel or LibreOffice and save it as 'CSV UTF-8 (Comma delimited)'"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
SNIFF_BYTES = 64 * 1024
# A workbook is read (and its rows counted) in its first 30 columns: a return has 5, the template 7.
MAX_COLUMNS = 30


def _utf16_names(*names: str) -> list[bytes]:
    return [name.encode("utf-16-le") for name in names]


def ole2_directory(path: Path, head: bytes) -> bytes:
    """The first directory sector of an OLE2 file (where its streams are named), wherever it lies."""
    if len(head) < 0x34:
        return b""
    sector_size = 1 << int.from_bytes(head[0x1E:0x20], "little")
    first = int.from_bytes(head[0x30:0x34], "little")
    if sector_size not in (512, 4096) or first >= 0xFFFFFFFA:
        return b""
    try:
        with open(path, "rb") as handle:
            handle.seek((first + 1) * sector_size)
            return handle.read(sector_size * 4)
    except OSError:
        return b""


def ole2_kind(head: bytes) -> str:
    """An OLE2 compound file is a password-protected OOXML workbook or a legacy Office file."""
    if any(name in head for name in _utf16_names("EncryptionInfo", "EncryptedPackage")):
        return "password-protected"
    if any(name in head for name in _utf16_names("Workbook", "Book")):
        return "xls"
    return "ole2"


def zip_kind(path: Path) -> str:
    """Which kind of zip-based document `path` is: xlsx, xlsm, ods, or another zip."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    mimetype = member.read(200).decode("ascii", "replace")
                if "opendocument.spreadsheet" in mimetype:
                    return "ods"
                if "opendocument" in mimetype:
                    return "opendocument"
            if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
                types = b""
                if "[Content_Types].xml" in names:
                    with archive.open("[Content_Types].xml") as member:
                        types = member.read(200_000)
                if "xl/workbook.bin" in names:
                    return "xlsb"
                if "xl/vbaProject.bin" in names or b"macroEnabled" in types:
                    return "xlsm"
                return "xlsx"
            if "word/document.xml" in names:
                return "docx"
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, NotImplementedError):
        return "damaged zip"
    return "zip"


def looks_like_utf16(head: bytes) -> bool:
    """UTF-16 without a byte-order mark: most characters of the first few kB have a NUL byte on one
    side (even or odd positions) and not on the other, wherever the text starts."""
    sample = head[:4096]
    if len(sample) < 4:
        return False
    even, odd = sample[0::2], sample[1::2]
    nul_even, nul_odd = even.count(0) / len(even), odd.count(0) / max(len(odd), 1)
    return max(nul_even, nul_odd) >= 0.3 and min(nul_even, nul_odd) <= 0.05


def text_problem(head: bytes) -> str | None:
    """What is wrong with a text file's encoding or separators, for a CSV return; None if nothing."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or looks_like_utf16(head):
        return f"UTF-16 text (as Excel's 'Unicode Text' saves it), not a UTF-8 CSV: {SAVE_AS_CSV}"
    line = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", "replace").lower()
    for separator, name in ((";", "';'"), ("\t", "tabs")):
        if line.count(separator) >= 2 and line.count(separator) > line.count(","):
            return (
                f"columns separated by {name}, not commas (as Excel saves CSV where the decimal separator is a comma): "
                f"{SAVE_AS_CSV}, with ',' between columns and '.' as the decimal point"
            )
    return None


def describe(path: Path, head: bytes) -> str | None:
    """One line saying what a file that cannot be read as a return is and what to do; None if readable.

    `head` is the file's first bytes (up to SNIFF_BYTES).
    """
    suffix = printable(path.suffix.lower())
    if head.startswith(OLE2_MAGIC):
        kind = ole2_kind(head + ole2_directory(path, head))
        if kind == "password-protected":
            return (
                "a password-protected (encrypted) workbook: the warehouse cannot open it; remove the password "
                "(Excel: File > Info > Protect Workbook > Encrypt with Password, clear it) and send it as .xlsx"
            )
        if kind == "xls":
            return f"an Excel 97-2003 workbook (.xls), a format the warehouse does not read: {SAVE_AS_XLSX}"
        return f"an old Office document (OLE2), not a return: {SAVE_AS_XLSX}"
    if head.startswith(ZIP_MAGIC):
        kind = zip_kind(path)
        if kind == "xlsx":
            return None if suffix == ".xlsx" else f"an Excel workbook named '{suffix or 'without an extension'}': rename it to end in .xlsx"
        return {
            "ods": f"an OpenDocument spreadsheet (.ods), a format the warehouse does not read: {SAVE_AS_XLSX}",
            "opendocument": f"an OpenDocument file, not a spreadsheet return: {SAVE_AS_XLSX}",
            "xlsm": "a macro-enabled workbook (.xlsm): macros are never run here; save it as 'Excel Workbook (.xlsx)' "
            "(File > Save As) and send that",
            "xlsb": f"an Excel binary workbook (.xlsb), a format the warehouse does not read: {SAVE_AS_XLSX}",
            "docx": "a Word document, not a return: send the return workbook or CSV",
            "damaged zip": "a damaged or incomplete zip archive (a workbook cut short?): save it again and resend it",
        }.get(kind, "a zip archive that is not a workbook: send the return workbook (.xlsx) or CSV itself, not an archive")
    if head.startswith(b"%PDF"):
        return "a PDF document, not a return: send the return workbook (.xlsx) or CSV"
    if suffix == ".xlsx":
        if not head:
            return "empty file"
        problem = text_problem(head)
        if problem:
            return problem
        if b"\x00" not in head:
            return "a text file named .xlsx, not a workbook: if it is a CSV return, rename it to end in .csv"
        return "not an XLSX workbook (not a zip archive)"
    if suffix in (".csv", ".txt", ".tsv", ""):
        problem = text_problem(head)
        if problem:
            return problem
        if suffix == ".csv":
            return None
        if suffix in (".txt", ".tsv"):
            return f"not a return: a text file ({suffix}); if it is a CSV return with ',' between columns, rename it to end in .csv"
    if suffix in (".xls", ".xlsm", ".ods", ".xlsb", ".numbers"):
        return f"a '{suffix}' file that is not a workbook the warehouse reads: {SAVE_AS_XLSX}"
    return f"not a return: expected a .csv or .xlsx file, got '{suffix or 'no extension'}'"


def refusal(path: Path) -> str | None:
    """Why the file at `path` cannot be read as a return (one line), or None if it can be read."""
    try:
        # Opened without blocking and read only if a regular file: a named pipe would wait for ever.
        with os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return "not a regular file (a named pipe, socket or device): not read"
            head = handle.read(SNIFF_BYTES)
    except OSError as error:
        return f"cannot read file: {error.strerror or error}"
    return describe(path, head)

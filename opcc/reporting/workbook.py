# size: the workbook: the frame openpyxl writes and the sheet XML of its rows, which must agree look by look, in one place.
"""The review pack as the workbook a finance officer expects.

One sheet per table the reporting models declare (opcc/reporting/declared.py),
each an Excel table named after its sheet (so a pivot table or Power BI reads
it by name), with the columns an analyst slices by (theme, strategic
priority, funding mechanism, funding stream, national outcome area) beside
every per-contract or per-priority row: a title and a note above a header
row that is frozen, filtered and repeated on every printed page;
money as £ with thousands, ratios as %, counts as whole numbers; RAG columns
keep their word and are coloured by conditional formatting; every sheet
prints on A4 landscape, one page wide, with its title in the header and the
page number in the footer. The summary sheet has the headline figures and
native charts placed to the right of its tables, never over them. Provider
text is written as text, never as a formula.
"""

from __future__ import annotations

import io
import re
import textwrap
import zipfile
from collections.abc import Callable
from copy import copy
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from math import isinf, isnan
from pathlib import Path
from weakref import WeakKeyDictionary
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TIME_FORMATS, Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.formatting.rule import Rule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.table import Table as ExcelTable
from openpyxl.worksheet.table import TableColumn, TableStyleInfo
from openpyxl.writer.excel import ExcelWriter

from opcc.core import vocabulary
from opcc.core.safe_text import looks_like_formula, put_text, put_value
from opcc.reporting.data import ReviewData, Table

MONEY = '"£"#,##0'
MONEY_PENCE = '"£"#,##0.00'
PERCENT = "0%"
COUNT = "#,##0"
FILLS = vocabulary.fills()
HEADER_FILL = PatternFill("solid", start_color="DCE3EA")
THIN = Side(style="thin", color="B0B8C1")
WRAP_COLUMNS = {"exceptions", "attention", "finding", "example", "not_computed_because", "comment"}
FIRST_ROW = 4  # title, note, blank... then the header
# One style object per look, shared by every cell that has it (openpyxl compares a new one with
# every style it holds: thousands of cells made the workbook take seconds).
TOP = Alignment(vertical="top")
TOP_WRAPPED = Alignment(wrap_text=True, vertical="top")
SLICERS = {  # the columns added per key column, with their headers
    "contract": ("contract_id", {"strategic_theme": "strategic theme", "strategic_priority": "strategic priority",
                                 "funding_mechanism": "funding mechanism", "funding_stream": "funding stream",
                                 "national_outcome_area": "national outcome area"}),
    "priority": ("strategic_priority", {"strategic_theme": "strategic theme", "national_outcome_area": "national outcome area"}),
}
CHART_COLUMN = "H"  # the summary's charts start here, right of its tables (columns A to E)


def table_name(sheet: str) -> str:
    """An Excel table's name for a sheet: letters, digits and underscores, as Power BI lists it."""
    return "".join(c if c.isalnum() else "_" for c in sheet)


def add_table(sheet, name: str, ref: str, headers: list[str]) -> None:
    """An Excel table over `ref`, its columns named by `headers` (the header row's text): given here,
    openpyxl need not read the whole range back as cells to find them."""
    columns = [TableColumn(id=i, name=header) for i, header in enumerate(headers, start=1)]
    table = ExcelTable(displayName=table_name(name), ref=ref, tableColumns=columns, autoFilter=AutoFilter(ref=ref))
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    sheet.add_table(table)


def with_slicers(table: Table, slicers: dict[str, dict[str, dict]]) -> tuple[list[str], list[tuple], dict[str, str]]:
    """The table's columns and rows with its key's slicing columns added (those it lacks), and their headers."""
    if table.slicers not in SLICERS:
        return list(table.columns), list(table.rows), {}
    key, added = SLICERS[table.slicers]
    added = {c: label for c, label in added.items() if c not in table.columns}
    index = table.columns.index(key)
    found = {k: tuple((v or {}).get(c) for c in added) for k, v in slicers.get(table.slicers, {}).items()}
    unknown = (None,) * len(added)
    rows = [tuple(row) + found.get(row[index], unknown) for row in table.rows]
    return [*table.columns, *added], rows, added


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return value


def _shown_length(value) -> int:
    """The characters a cell's value shows (what a column's width is measured by)."""
    if type(value) is str:
        return len(value)
    return 0 if value is None else len(str(_plain(value) or ""))


@lru_cache(maxsize=65536)  # a sheet repeats its names (each indicator's, each theme's) row after row
def _lines(text: str, width: float) -> int:
    """Lines a wrapped cell of `width` characters needs (words kept whole, as a spreadsheet wraps)."""
    chars = max(int(width * 1.1) - 1, 4)
    # A part that fits (and has no tab to expand) is one line: most cells, and textwrap is slow.
    return sum(1 if len(part) <= chars and "\t" not in part else max(1, len(textwrap.wrap(part, chars))) for part in text.split("\n"))


def _print_setup(sheet, title: str, header_row: int | None) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.55
    sheet.print_options.horizontalCentered = True
    sheet.oddHeader.center.text = title.replace("&", "&&")
    sheet.oddHeader.center.size = 9
    sheet.oddFooter.right.text = "Page &P of &N"
    sheet.oddFooter.right.size = 8
    if header_row:
        sheet.print_title_rows = f"{header_row}:{header_row}"


def _rag_formatting(sheet, cell_range: str) -> None:
    """Each status word coloured by a rule (openpyxl's CellIsRule), its colours registered with the
    workbook once: openpyxl would compare every rule's colours with all it holds as the file is written."""
    known = _KNOWN.setdefault(sheet.parent, {})
    for status, (fill, font) in FILLS.items():
        if ("dxf", status) not in known:
            look = DifferentialStyle(font=Font(color=font, bold=True), fill=PatternFill("solid", start_color=fill, end_color=fill))
            known[("dxf", status)] = sheet.parent._differential_styles.add(look)
        sheet.conditional_formatting.add(
            cell_range, Rule(type="cellIs", operator="equal", formula=[f'"{status}"'], dxfId=known[("dxf", status)])
        )


def _headers(table: Table, columns: list[str], added: dict[str, str]) -> list[str]:
    """One header per column, each different (an Excel table's columns are named by them)."""
    headers: list[str] = []
    for column in columns:
        text = added.get(column) or table.label(column) or column.replace("_", " ")
        headers.append(text if text not in headers else f"{text} ({column})")
    return headers


# Per workbook, each look's style: openpyxl registers a font, fill or alignment by comparing it with
# every one it holds (hashing it whole), each time one is set; a look is registered once, then copied.
_KNOWN: WeakKeyDictionary[Workbook, dict] = WeakKeyDictionary()


def _styled(cell, look: str, style: Callable[[Cell], None]) -> None:
    """Give the cell a look: `style(cell)` the first time the workbook meets it, a copy after."""
    known = _KNOWN.setdefault(cell.parent.parent, {})
    if look in known:
        cell._style = copy(known[look])
        return
    style(cell)
    known[look] = copy(cell._style)


def _style_id(sheet, number_format: str | None, wraps: bool, quoted: bool = False) -> int:
    """The workbook's style index of one look, registered through a cell that is never placed."""
    known = _KNOWN.setdefault(sheet.parent, {})
    key = ("id", number_format, wraps, quoted)
    if key not in known:
        known[key] = _new_style_id(sheet, number_format, wraps, quoted)
    return known[key]


def _new_style_id(sheet, number_format: str | None, wraps: bool, quoted: bool) -> int:
    cell = Cell(sheet)
    if number_format:
        cell.number_format = number_format
    cell.alignment = TOP_WRAPPED if wraps else TOP
    if quoted:
        cell.quotePrefix = True
    return cell.style_id


def _column_format(table: Table, column: str) -> str | None:
    if column in table.money:
        return MONEY_PENCE if "cost_per" in column else MONEY
    if column in table.percent:
        return PERCENT
    if column in table.counts:
        return COUNT
    return None


class _Looks:
    """Each column's style ids, found once per look (number format, wrapped or not, quoted or not)."""

    def __init__(self, sheet, table: Table, columns: list[str]):
        self.sheet = sheet
        self.formats = [_column_format(table, column) for column in columns]
        self.ids: dict[tuple, int] = {}

    def __call__(self, c: int, wraps: bool, quoted: bool = False, number_format: str | None = None) -> int:
        key = (number_format or self.formats[c], wraps, quoted)
        if key not in self.ids:
            self.ids[key] = _style_id(self.sheet, *key)
        return self.ids[key]


def _number(value: float) -> str:
    """A number as openpyxl writes it (sixteen significant digits); nothing for one that is not finite."""
    if isinstance(value, int):
        return str(value)
    return "" if isnan(value) or isinf(value) else f"{value:.16g}"


@lru_cache(maxsize=65536)
def _text_xml(text: str) -> str:
    text = ILLEGAL_CHARACTERS_RE.sub("", text[:32767])
    space = ' xml:space="preserve"' if text != text.strip() and text.strip() else ""
    return f"<is><t{space}>{escape(text)}</t></is>"


def _cell_xml(looks: _Looks, c: int, raw, wraps: bool, width: float) -> tuple[str, int]:
    """What follows a cell's reference in the sheet XML (its style, type and value), and the lines its
    row needs for it."""
    value = _plain(raw)
    if value is None:
        return f' s="{looks(c, wraps)}"/>', 1
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = _number(value)
        style = looks(c, wraps)
        xml = f' s="{style}" t="n"><v>{number}</v></c>' if number else f' s="{style}"/>'
    elif isinstance(value, (date, time, timedelta)):
        style = looks(c, wraps, number_format=TIME_FORMATS.get(type(value)))
        xml = f' s="{style}" t="n"><v>{_number(to_excel(value))}</v></c>'
    else:
        text = str(value)
        wraps = wraps or len(text) > 45
        style = looks(c, wraps, looks_like_formula(text))
        xml = f' s="{style}" t="inlineStr">{_text_xml(text)}</c>' if text else f' s="{style}"/>'
    # Spreadsheet programs do not grow a row for wrapped text they did not lay out themselves: each
    # row has the height its longest wrapped cell needs, so nothing prints over the next row.
    return xml, _lines(str(value), width) if wraps else 1


def _data_rows(sheet, table: Table, columns: list[str], rows: list[tuple], first: int, widths: list[float]) -> str:
    """The table's rows as sheet XML, with the same cells, styles and row heights openpyxl would write.

    openpyxl's cell objects and per-cell XML writer took about two seconds for a national pack's
    fifty thousand cells; the rows written as text take a small part of that. A column's texts
    repeat row after row (each indicator's name, each theme's), so each is made into XML once.
    """
    looks = _Looks(sheet, table, columns)
    letters = [get_column_letter(c) for c in range(1, len(columns) + 1)]
    wrapped = [column in WRAP_COLUMNS for column in columns]
    # Text and nothing, by column: a text's XML is the same wherever it is. (A number's is not kept:
    # 0 and -0.0 are equal keys but not the same cell.)
    seen: list[dict] = [{} for _ in columns]
    numbers: list[int | None] = [None] * len(columns)  # each column's style of a number
    out: list[str] = []
    for r, row in enumerate(rows, start=first):
        cells: list[str] = []
        lines = 1
        for c, value in enumerate(row):
            kind = type(value)
            if kind is str or value is None:
                known = seen[c].get(value)
                if known is None:
                    known = seen[c][value] = _cell_xml(looks, c, value, wrapped[c], widths[c])
            elif (kind is Decimal or kind is float or kind is int) and not wrapped[c]:
                # A number, as _cell_xml writes it: its column's style, sixteen digits, nothing if not finite.
                style = numbers[c]
                if style is None:
                    style = numbers[c] = looks(c, False)
                if kind is int:
                    cells.append(f'<c r="{letters[c]}{r}" s="{style}" t="n"><v>{value}</v></c>')
                    continue
                number = float(value)
                finite = number - number == 0
                cells.append(f'<c r="{letters[c]}{r}" s="{style}" t="n"><v>{number:.16g}</v></c>' if finite else f'<c r="{letters[c]}{r}" s="{style}"/>')
                continue
            else:
                known = _cell_xml(looks, c, value, wrapped[c], widths[c])
            cells.append(f'<c r="{letters[c]}{r}"{known[0]}')
            if known[1] > lines:
                lines = known[1]
        height = f' ht="{12.75 * lines}" customHeight="1"' if lines > 1 else ""
        out.append(f'<row r="{r}"{height}>{"".join(cells)}</row>')
    return "".join(out)


def _title_look(cell) -> None:
    cell.font = Font(bold=True, size=13)


def _note_look(cell) -> None:
    cell.font = Font(italic=True, size=9, color="52606D")


def _header_look(cell) -> None:
    cell.font = Font(bold=True)
    cell.fill = HEADER_FILL
    cell.alignment = Alignment(wrap_text=True, vertical="bottom")
    cell.border = Border(bottom=THIN)


def write_table(book: Workbook, table: Table, slicers: dict[str, dict[str, dict]]) -> tuple[str, str] | None:
    """The table's sheet; its data rows are returned as sheet XML (with the sheet's whole extent),
    to be placed in the saved file by write_workbook."""
    name = table.sheet or table.key
    sheet = book.create_sheet(name)
    columns, rows, added = with_slicers(table, slicers)
    # Each cell's look first, then its text (which may add the quote prefix to it).
    _styled(sheet.cell(row=1, column=1), "title", _title_look)
    put_text(sheet.cell(row=1, column=1), table.title)
    if table.note:
        _styled(sheet.cell(row=2, column=1), "note", _note_look)
        put_text(sheet.cell(row=2, column=1), table.note)
    header = FIRST_ROW
    headers = _headers(table, columns, added)
    for c, text in enumerate(headers, start=1):
        cell = sheet.cell(row=header, column=c)
        _styled(cell, "header", _header_look)
        put_text(cell, text)
    if not rows:
        put_text(sheet.cell(row=header + 1, column=1), table.empty)
    last_row = header + max(len(rows), 1)
    last_column = get_column_letter(len(columns))
    add_table(sheet, name, f"A{header}:{last_column}{last_row}", headers)
    sheet.freeze_panes = f"A{header + 1}"
    widths = []
    for c, column in enumerate(columns, start=1):
        longest = max([len(headers[c - 1])] + [_shown_length(row[c - 1]) for row in rows[:300]])
        width = table.widths.get(column) or min(max(9, longest + 2), 48 if column in WRAP_COLUMNS else 34)
        sheet.column_dimensions[get_column_letter(c)].width = width
        widths.append(width)
    # In the sheet's column order: a set's order changes with each process's string hashing, and the
    # same figures must make the same file.
    for column in (c for c in columns if c in table.rag):
        letter = get_column_letter(columns.index(column) + 1)
        _rag_formatting(sheet, f"{letter}{header + 1}:{letter}{last_row}")
    _print_setup(sheet, table.title, header)
    if not rows:
        return None
    return _data_rows(sheet, table, columns, rows, header + 1, widths), f"A1:{last_column}{last_row}"


def _readable(chart, height: float, width: float) -> None:
    """Axes drawn with their labels (openpyxl hides them unless told), the legend below, room for the labels."""
    chart.height, chart.width = height, width
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend.position = "b"


def _summary_charts(book: Workbook, sheet, data: ReviewData, start: int) -> None:
    """The returns by quarter as a table from row `start`, and the summary's two charts right of the tables."""
    # The returns by quarter, as a table the chart reads.
    headers = ["Quarter", "On time", "Late", "Resubmitted", "Missing"]
    for c, text in enumerate(headers, start=1):
        cell = sheet.cell(row=start, column=c)
        put_text(cell, text)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for r, q in enumerate(data.returns_by_quarter, start=start + 1):
        put_text(sheet.cell(row=r, column=1), q["period"])
        for c, key in enumerate(["received_on_time", "received_late", "resubmitted", "missing"], start=2):
            sheet.cell(row=r, column=c, value=q[key]).number_format = COUNT
    if data.returns_by_quarter:
        add_table(sheet, "Returns by quarter", f"A{start}:E{start + len(data.returns_by_quarter)}", headers)
        chart = BarChart()
        chart.type = "col"
        chart.grouping = "clustered"
        chart.title = "Returns by quarter and status"
        chart.y_axis.title = "returns"
        last = start + len(data.returns_by_quarter)
        chart.add_data(Reference(sheet, min_col=2, max_col=5, min_row=start, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=start + 1, max_row=last))
        _readable(chart, 7.5, 17)
        sheet.add_chart(chart, f"{CHART_COLUMN}3")
    themes = data.theme_spend
    if themes.rows:
        chart = BarChart()
        chart.type = "bar"
        chart.grouping = "clustered"
        chart.title = themes.title
        chart.y_axis.number_format = MONEY
        n = len(themes.rows)
        source = book[themes.sheet]
        chart.add_data(Reference(source, min_col=4, max_col=5, min_row=FIRST_ROW, max_row=FIRST_ROW + n), titles_from_data=True)
        chart.set_categories(Reference(source, min_col=1, min_row=FIRST_ROW + 1, max_row=FIRST_ROW + n))
        _readable(chart, max(7.5, 1.3 * n + 3), 17)
        sheet.add_chart(chart, f"{CHART_COLUMN}19")


def _summary(book: Workbook, data: ReviewData) -> None:
    sheet = book.active
    sheet.title = "Summary"
    s = data.summary
    put_text(sheet.cell(row=1, column=1), f"Quarterly performance review: {data.period}")
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    rows: list[tuple[str, object, str | None]] = [
        ("Commissioner", data.commissioner_name, None),
        ("Quarter", data.months, None),
        ("Framework version", data.framework_version, None),
        ("Returns loaded (UTC)", data.refreshed_at, None),
        ("Allocated", _plain(s["allocated_gbp"]), MONEY),
        ("Spent to date", _plain(s["spend_ytd_gbp"]), MONEY),
        ("Profile of the quarters reported", _plain(s["profile_reported_ytd_gbp"]), MONEY),
        ("Spend as % of profile", _plain(s["spend_to_reported_profile_ytd"]), PERCENT),
    ]
    if s["has_budget_lines"]:
        rows += [("Commissioning budget", _plain(s["commissioning_budget_gbp"]), MONEY),
                 ("Commissioning reserve", _plain(s["reserve_printed_gbp"]), MONEY)]
    rows += [
        ("Returns expected this quarter", s["returns_expected"], COUNT),
        ("Returns on time / late / resubmitted / missing",
         f"{s['received_on_time']} / {s['received_late']} / {s['resubmitted']} / {s['missing']}", None),
        ("Contracts red / amber / green (overall)", f"{s['overall_red']} / {s['overall_amber']} / {s['overall_green']}", None),
        ("Finance red / amber / green", f"{s['finance_red']} / {s['finance_amber']} / {s['finance_green']}", None),
        ("Outcomes red / amber / green", f"{s['outcome_red']} / {s['outcome_amber']} / {s['outcome_green']}", None),
        ("Contracts with no outcome target", s.get("outcome_no_targets", 0), COUNT),
        ("Data quality rules", data.rule_counts.line(), None),
    ]
    if data.sample_data:
        rows.append(("Note", "Illustrative sample data: provider returns made by the project's generator, not published figures.", None))
    for c, text in enumerate(("figure", "value"), start=1):
        cell = sheet.cell(row=3, column=c)
        put_text(cell, text)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for r, (label, value, fmt) in enumerate(rows, start=4):
        put_text(sheet.cell(row=r, column=1), label)
        sheet.cell(row=r, column=1).font = Font(bold=True)
        cell = sheet.cell(row=r, column=2)
        put_value(cell, value)
        cell.alignment = Alignment(horizontal="left", wrap_text=True, vertical="top")
        if fmt:
            cell.number_format = fmt
    add_table(sheet, "Summary figures", f"A3:B{3 + len(rows)}", ["figure", "value"])
    for letter, width in {"A": 44, "B": 40, "C": 11, "D": 11, "E": 12}.items():
        sheet.column_dimensions[letter].width = width
    _summary_charts(book, sheet, data, start=len(rows) + 6)
    _print_setup(sheet, f"Quarterly performance review {data.period}: summary", None)
    sheet.page_setup.fitToHeight = 1


SHEETS = [  # the declared tables' sheets, in the order a reader meets them after the summary
    "Funds", "Needs attention", "Contracts", "Spend by theme", "Cost per service", "Cost per outcome", "Returns", "Budget",
    "Coverage", "Data quality", "Direction of travel", "Contract quarters", "Indicators", "Cost per outcome by quarter",
]


class _Writer(ExcelWriter):
    """openpyxl's writer (3.1.5), with each sheet written in memory, not to a temporary file made and
    removed per sheet, and each table sheet's data rows placed at the end of its sheet data (and its
    extent in its dimension) as it is written: the file is written once."""

    def __init__(self, book: Workbook, archive: zipfile.ZipFile, rows: dict[str, tuple[str, str]]):
        super().__init__(book, archive)
        self._rows = rows  # by sheet title

    def write_worksheet(self, ws) -> None:
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = WorksheetWriter(ws, out=io.BytesIO())
        writer.write()
        ws._rels = writer._rels
        xml = writer.read()
        if ws.title in self._rows:
            data, extent = self._rows[ws.title]
            text = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{extent}"/>', xml.decode("utf-8"), count=1)
            xml = text.replace("</sheetData>", data + "</sheetData>", 1).encode("utf-8")
        self._archive.writestr(ws.path[1:], xml)
        self.manifest.append(ws)


# Deflate's fastest level: a third of the time of its default for a file a tenth larger (a national
# pack's workbook, 290 KB at the default), read the same by every spreadsheet program.
COMPRESS_LEVEL = 1


def _save(book: Workbook, rows: dict[str, tuple[str, str]], path: Path) -> None:
    """Save the workbook with each table sheet's data rows placed at the end of its sheet data (as
    openpyxl's save_workbook does, with the writer that places them)."""
    book.properties.modified = datetime.now(tz=UTC).replace(tzinfo=None)
    archive = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=COMPRESS_LEVEL)
    _Writer(book, archive, rows).save()


def write_workbook(data: ReviewData, path: Path) -> Path:
    book = Workbook()
    tables = {t.sheet: t for t in data.tables.values() if t.sheet}
    if data.streams is None or len(data.streams.rows) <= 1:  # each fund with its own totals, as the page shows
        tables.pop("Funds", None)
    rows: dict[str, tuple[str, str]] = {}
    for name in [*SHEETS, *sorted(set(tables) - set(SHEETS))]:
        if name in tables:
            placed = write_table(book, tables[name], data.slicers)
            if placed:
                rows[tables[name].sheet or tables[name].key] = placed
    _summary(book, data)
    book.move_sheet("Summary", offset=-book.index(book["Summary"]))
    book.active = 0
    book.properties.creator = "opcc report"
    book.properties.title = f"Quarterly performance review {data.period}"
    path.parent.mkdir(parents=True, exist_ok=True)
    _save(book, rows, path)
    return path

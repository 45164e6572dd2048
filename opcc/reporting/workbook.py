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

from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.table import Table as ExcelTable
from openpyxl.worksheet.table import TableStyleInfo

from opcc.core import vocabulary
from opcc.core.safe_text import put_text, put_value
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


def add_table(sheet, name: str, ref: str) -> None:
    table = ExcelTable(displayName=table_name(name), ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    sheet.add_table(table)


def with_slicers(table: Table, slicers: dict[str, dict[str, dict]]) -> tuple[list[str], list[tuple], dict[str, str]]:
    """The table's columns and rows with its key's slicing columns added (those it lacks), and their headers."""
    if table.slicers not in SLICERS:
        return list(table.columns), list(table.rows), {}
    key, added = SLICERS[table.slicers]
    added = {c: label for c, label in added.items() if c not in table.columns}
    index = table.columns.index(key)
    found = slicers.get(table.slicers, {})
    rows = [tuple(row) + tuple((found.get(row[index]) or {}).get(c) for c in added) for row in table.rows]
    return [*table.columns, *added], rows, added


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return value


def _lines(text: str, width: float) -> int:
    """Lines a wrapped cell of `width` characters needs (words kept whole, as a spreadsheet wraps)."""
    import textwrap

    return sum(max(1, len(textwrap.wrap(part, max(int(width * 1.1) - 1, 4)))) for part in text.split("\n"))


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
    for status, (fill, font) in FILLS.items():
        sheet.conditional_formatting.add(
            cell_range,
            CellIsRule(operator="equal", formula=[f'"{status}"'], fill=PatternFill("solid", start_color=fill, end_color=fill),
                       font=Font(color=font, bold=True)),
        )


def _headers(table: Table, columns: list[str], added: dict[str, str]) -> list[str]:
    """One header per column, each different (an Excel table's columns are named by them)."""
    headers: list[str] = []
    for column in columns:
        text = added.get(column) or table.label(column) or column.replace("_", " ")
        headers.append(text if text not in headers else f"{text} ({column})")
    return headers


def write_table(book: Workbook, table: Table, slicers: dict[str, dict[str, dict]]) -> None:
    name = table.sheet or table.key
    sheet = book.create_sheet(name)
    columns, rows, added = with_slicers(table, slicers)
    put_text(sheet.cell(row=1, column=1), table.title)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
    if table.note:
        put_text(sheet.cell(row=2, column=1), table.note)
        sheet.cell(row=2, column=1).font = Font(italic=True, size=9, color="52606D")
    header = FIRST_ROW
    for c, text in enumerate(_headers(table, columns, added), start=1):
        cell = sheet.cell(row=header, column=c)
        put_text(cell, text)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
        cell.border = Border(bottom=THIN)
    wrapped: set[tuple[int, int]] = set()
    # Setting a cell's alignment hashes the alignment to find its style id, which for thousands of cells
    # was a fifth of a pack's time: each look's id is found at its first cell and given to the rest.
    aligned: dict[bool, int] = {}
    for r, row in enumerate(rows, start=header + 1):
        for c, column in enumerate(columns, start=1):
            cell = sheet.cell(row=r, column=c)
            put_value(cell, _plain(row[c - 1]))
            if column in table.money:
                cell.number_format = MONEY_PENCE if "cost_per" in column else MONEY
            elif column in table.percent:
                cell.number_format = PERCENT
            elif column in table.counts:
                cell.number_format = COUNT
            wraps = column in WRAP_COLUMNS or (isinstance(cell.value, str) and len(cell.value) > 45)
            if wraps:
                wrapped.add((r, c))
            if wraps in aligned:
                if cell._style is None:  # a cell without a number format has no styles yet
                    cell._style = StyleArray()
                cell._style.alignmentId = aligned[wraps]
            else:
                cell.alignment = TOP_WRAPPED if wraps else TOP
                aligned[wraps] = cell._style.alignmentId
    if not rows:
        put_text(sheet.cell(row=header + 1, column=1), table.empty)
    last_row = header + max(len(rows), 1)
    add_table(sheet, name, f"A{header}:{get_column_letter(len(columns))}{last_row}")
    sheet.freeze_panes = f"A{header + 1}"
    column_widths = {}
    for c, column in enumerate(columns, start=1):
        longest = max([len(sheet.cell(row=header, column=c).value)] + [len(str(_plain(row[c - 1]) or "")) for row in rows[:300]])
        width = table.widths.get(column) or min(max(9, longest + 2), 48 if column in WRAP_COLUMNS else 34)
        sheet.column_dimensions[get_column_letter(c)].width = width
        column_widths[c] = width
    # Spreadsheet programs do not grow a row for wrapped text they did not lay out themselves: give
    # each row the height its longest wrapped cell needs, so nothing prints over the next row.
    for r, row in enumerate(rows, start=header + 1):
        lines = max([1] + [_lines(str(_plain(row[c - 1]) or ""), column_widths[c]) for c in range(1, len(columns) + 1) if (r, c) in wrapped])
        if lines > 1:
            sheet.row_dimensions[r].height = 12.75 * lines
    for column in table.rag & set(columns):
        letter = get_column_letter(columns.index(column) + 1)
        _rag_formatting(sheet, f"{letter}{header + 1}:{letter}{last_row}")
    _print_setup(sheet, table.title, header)


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
        add_table(sheet, "Returns by quarter", f"A{start}:E{start + len(data.returns_by_quarter)}")
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
    add_table(sheet, "Summary figures", f"A3:B{3 + len(rows)}")
    for letter, width in {"A": 44, "B": 40, "C": 11, "D": 11, "E": 12}.items():
        sheet.column_dimensions[letter].width = width
    _summary_charts(book, sheet, data, start=len(rows) + 6)
    _print_setup(sheet, f"Quarterly performance review {data.period}: summary", None)
    sheet.page_setup.fitToHeight = 1


SHEETS = [  # the declared tables' sheets, in the order a reader meets them after the summary
    "Funds", "Needs attention", "Contracts", "Spend by theme", "Cost per service", "Cost per outcome", "Returns", "Budget",
    "Coverage", "Data quality", "Direction of travel", "Contract quarters", "Indicators", "Cost per outcome by quarter",
]


def write_workbook(data: ReviewData, path: Path) -> Path:
    book = Workbook()
    tables = {t.sheet: t for t in data.tables.values() if t.sheet}
    if data.streams is None or len(data.streams.rows) <= 1:  # each fund with its own totals, as the page shows
        tables.pop("Funds", None)
    for name in [*SHEETS, *sorted(set(tables) - set(SHEETS))]:
        if name in tables:
            write_table(book, tables[name], data.slicers)
    _summary(book, data)
    book.move_sheet("Summary", offset=-book.index(book["Summary"]))
    book.active = 0
    book.properties.creator = "opcc report"
    book.properties.title = f"Quarterly performance review {data.period}"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path

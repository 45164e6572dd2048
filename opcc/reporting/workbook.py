"""The review pack as the workbook a finance officer expects.

One sheet per section of the page, each one table: a title and a note above
a header row that is frozen, filtered and repeated on every printed page;
money as £ with thousands, ratios as %, counts as whole numbers; RAG columns
keep their word and are coloured by conditional formatting; every sheet
prints on A4 landscape, one page wide, with its title in the header and the
page number in the footer. The summary sheet has the headline figures and
native charts. Provider text is written as text, never as a formula.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

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


def write_table(book: Workbook, name: str, table: Table, columns: list[str] | None = None, widths: dict[str, int] | None = None,
                rag: set[str] | None = None) -> None:
    sheet = book.create_sheet(name)
    columns = columns or table.columns
    index = {c: table.columns.index(c) for c in columns}
    put_text(sheet.cell(row=1, column=1), table.title)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
    if table.note:
        put_text(sheet.cell(row=2, column=1), table.note)
        sheet.cell(row=2, column=1).font = Font(italic=True, size=9, color="52606D")
    header = FIRST_ROW
    for c, column in enumerate(columns, start=1):
        cell = sheet.cell(row=header, column=c)
        put_text(cell, table.label(column) or column.replace("_", " "))
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
        cell.border = Border(bottom=THIN)
    rows = table.rows or []
    for r, row in enumerate(rows, start=header + 1):
        for c, column in enumerate(columns, start=1):
            cell = sheet.cell(row=r, column=c)
            put_value(cell, _plain(row[index[column]]))
            if column in table.money:
                cell.number_format = MONEY_PENCE if "cost_per" in column else MONEY
            elif column in table.percent:
                cell.number_format = PERCENT
            elif column in table.counts:
                cell.number_format = COUNT
            if column in WRAP_COLUMNS or (isinstance(cell.value, str) and len(cell.value) > 45):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            else:
                cell.alignment = Alignment(vertical="top")
    if not rows:
        put_text(sheet.cell(row=header + 1, column=1), table.empty)
    column_widths = {}
    last_row = header + max(len(rows), 1)
    last_column = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A{header}:{last_column}{last_row}"
    sheet.freeze_panes = f"A{header + 1}"
    for c, column in enumerate(columns, start=1):
        longest = max([len(table.label(column))] + [len(str(_plain(row[index[column]]) or "")) for row in rows[:300]])
        width = (widths or {}).get(column) or min(max(9, longest + 2), 48 if column in WRAP_COLUMNS else 34)
        sheet.column_dimensions[get_column_letter(c)].width = width
        column_widths[column] = width
    # Spreadsheet programs do not grow a row for wrapped text they did not lay out themselves: give
    # each row the height its longest wrapped cell needs, so nothing prints over the next row.
    for r, row in enumerate(rows, start=header + 1):
        lines = max(
            [1] + [_lines(str(_plain(row[index[c]]) or ""), column_widths[c]) for c in columns if sheet.cell(row=r, column=columns.index(c) + 1).alignment.wrap_text]
        )
        if lines > 1:
            sheet.row_dimensions[r].height = 12.75 * lines
    for column in (rag or table.rag) & set(columns):
        letter = get_column_letter(columns.index(column) + 1)
        _rag_formatting(sheet, f"{letter}{header + 1}:{letter}{last_row}")
    _print_setup(sheet, table.title, header)


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
    for r, (label, value, fmt) in enumerate(rows, start=3):
        put_text(sheet.cell(row=r, column=1), label)
        sheet.cell(row=r, column=1).font = Font(bold=True)
        cell = sheet.cell(row=r, column=2)
        put_value(cell, value)
        cell.alignment = Alignment(horizontal="left", wrap_text=True, vertical="top")
        if fmt:
            cell.number_format = fmt
    sheet.column_dimensions["A"].width = 44
    sheet.column_dimensions["B"].width = 52
    # The returns by quarter, as a table the chart reads.
    start = len(rows) + 5
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
        chart = BarChart()
        chart.type = "col"
        chart.grouping = "clustered"
        chart.title = "Returns by quarter and status"
        chart.y_axis.title = "returns"
        last = start + len(data.returns_by_quarter)
        chart.add_data(Reference(sheet, min_col=2, max_col=5, min_row=start, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=start + 1, max_row=last))
        chart.height, chart.width = 7, 14
        sheet.add_chart(chart, "D3")
    themes = data.theme_spend
    if themes.rows:
        chart = BarChart()
        chart.type = "bar"
        chart.grouping = "clustered"
        chart.title = themes.title
        chart.x_axis.title = None
        chart.y_axis.number_format = MONEY
        n = len(themes.rows)
        source = book["Spend by theme"]
        chart.add_data(Reference(source, min_col=4, max_col=5, min_row=FIRST_ROW, max_row=FIRST_ROW + n), titles_from_data=True)
        chart.set_categories(Reference(source, min_col=1, min_row=FIRST_ROW + 1, max_row=FIRST_ROW + n))
        chart.height, chart.width = 7.5, 14
        sheet.add_chart(chart, "D18")
    _print_setup(sheet, f"Quarterly performance review {data.period}: summary", None)
    sheet.page_setup.fitToHeight = 1


def write_workbook(data: ReviewData, path: Path) -> Path:
    book = Workbook()
    attention = Table(
        "attention", "What needs attention, worst first", ["order", "severity", "contract_id", "attention"],
        [(i, a["severity"], a["contract_id"], a["attention"]) for i, a in enumerate(data.attention, start=1)],
        labels={"order": "#", "contract_id": "contract", "attention": "what needs attention"},
        rag={"severity"}, counts={"order"}, empty="Nothing needs attention this quarter.",
    )
    write_table(book, "Spend by theme", data.theme_spend)
    write_table(book, "Needs attention", attention, widths={"order": 5, "severity": 10, "contract_id": 10, "attention": 110})
    write_table(
        book, "Contracts", data.contracts,
        columns=["contract_id", "initiative_name", "provider", "return_status", "spend_ytd_gbp", "profile_reported_ytd_gbp",
                 "spend_to_reported_profile_ytd", "finance_rag", "outcome_rag", "overall_status", "exceptions"],
        widths={"initiative_name": 30, "provider": 24, "exceptions": 70},
    )
    write_table(book, "Cost per service", data.service_costs,
                widths={"service": 36, "provider": 28, "indicator_name": 36, "not_computed_because": 30})
    write_table(book, "Cost per outcome", data.cost_per_outcome, widths={"indicator_name": 36, "not_computed_because": 30})
    write_table(book, "Returns", data.returns_exceptions)
    write_table(book, "Budget", data.budget)
    write_table(book, "Coverage", data.coverage)
    quality = data.data_quality
    write_table(book, "Data quality", quality, widths={"category": 24, "finding": 120})
    _summary(book, data)
    order = ["Summary", "Needs attention", "Contracts", "Spend by theme", "Cost per service", "Cost per outcome", "Returns", "Budget", "Coverage", "Data quality"]
    if data.streams is not None and len(data.streams.rows) > 1:  # each fund with its own totals, as the page shows
        write_table(book, "Funds", data.streams, widths={"funding_stream_name": 26, "fund_name": 30})
        order.insert(1, "Funds")
    book._sheets = [book[name] for name in order]
    book.active = 0
    book.properties.creator = "opcc report"
    book.properties.title = f"Quarterly performance review {data.period}"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path

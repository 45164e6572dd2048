# size: the register import's line rules and their refusals read as one list; to split with the raw-file schema manifest (issue 24, item 4).
"""`opcc import-allocations`: a commissioner's allocation register and plan into the raw files.

For commissioners whose documents are not shaped like Leicestershire's: one row
per contract in a CSV or XLSX register, and the Police and Crime Plan as a CSV
(`kind,code,name,parent_code,national_code`, with rows of kind `indicator` for
the indicators that measure its priorities). It writes exactly the files the
document importer writes (a framework version folder, rows added to the
contract registry, a plan folder when the plan is new), so a refresh shows the
commissioner everywhere with no change to code.

Everything is checked before anything is written; every problem is one line
naming the file, row and column. Money is read by the same macro the models
use (opcc/core/sql_macros.py); priorities are matched to the plan by the
same keys the models match them by.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from opcc.core import sql_macros
from opcc.core.settings import csv_module, setting
from opcc.framework_import.importer import (
    FRAMEWORK_COLUMNS,
    LINE_COLUMNS,
    TOTAL_COLUMNS,
    read_csv,
    write_csv,
    write_registry,
)
from opcc.ingest.numbers import read_printed_amounts

csv = csv_module()

REQUIRED = ("initiative", "provider", "allocated_gbp", "funding_mechanism", "primary_priority")
OPTIONAL = ("contract_ref", "secondary_priority", "reach", "description", "returns", "service_group")
PLAN_COLUMNS = ("kind", "code", "name", "parent_code", "national_code")
PLAN_OPTIONAL = (
    "short_name", "position", "in_plan", "description", "unit", "indicator_kind", "better", "bounded_by", "is_headline",
)
PLAN_KINDS = ("theme", "priority", "mechanism", "indicator")
# An indicator row of a plan: its allowed values, the first being the default of a blank cell.
INDICATOR_CHOICES = {
    "unit": ("count", "percent", "gbp"),
    "indicator_kind": ("output", "activity", "outcome"),
    "better": ("higher", "lower"),
}
PLAN_FILE_COLUMNS = ("plan_code", "commissioner_code", "plan_name", "applies_from", "source_document")
COMMISSIONER_COLUMNS = ("commissioner_code", "commissioner_name", "police_force_area", "region")
VERSION = re.compile(r"^(?P<year>(?P<start>\d{4})-(?P<end>\d{2})) v(?P<number>[1-9]\d*)$")
CODE = re.compile(r"^[A-Z]{2,5}$")
BLANK = ("", "-")
MAX_ROWS = 10_000


class ImportRefused(Exception):
    """The files cannot be imported as they are; `problems` says why, one line each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def header_key(name: object) -> str:
    """Header names match ignoring case, spaces and punctuation ('Allocated GBP' is allocated_gbp)."""
    return re.sub(r"[^a-z0-9]+", "_", str(name or "").strip().lower()).strip("_")


@dataclass
class Table:
    path: Path
    rows: list[dict[str, str]]  # values as text, keyed by the matched header
    row_numbers: list[int]  # the spreadsheet row each came from (header = its own row)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    return str(value).strip()


def read_table(path: Path, required: tuple[str, ...], optional: tuple[str, ...]) -> Table:
    """A CSV, or the first sheet of an XLSX workbook, whose header has every required column."""
    suffix = path.suffix.lower()
    if suffix in (".xls", ".ods", ".xlsm", ".xlsb"):
        raise ImportRefused([f"{path}: a {suffix} file; save it as .xlsx or .csv and import that"])
    grid = _xlsx_grid(path) if suffix == ".xlsx" else _csv_grid(path)
    wanted = set(required) | set(optional)
    for index, row in enumerate(grid[:20]):
        keys = [header_key(c) for c in row]
        if set(required) <= set(keys):
            columns = {k: i for i, k in enumerate(keys) if k in wanted}
            rows, numbers = [], []
            for number, values in enumerate(grid[index + 1 :], start=index + 2):
                record = {k: _cell_text(values[i]) if i < len(values) else "" for k, i in columns.items()}
                if not any(record.values()):
                    continue
                rows.append({k: record.get(k, "") for k in (*required, *optional)})
                numbers.append(number)
            if len(rows) > MAX_ROWS:
                raise ImportRefused([f"{path}: {len(rows)} rows; a register of more than {MAX_ROWS:,} is not one"])
            return Table(path, rows, numbers)
    found = ", ".join(header_key(c) for c in (grid[0] if grid else []) if c) or "nothing"
    raise ImportRefused([f"{path}: no header row with the columns {', '.join(required)} (the first row has {found})"])


def _csv_grid(path: Path) -> list[list]:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImportRefused([f"{path}: cannot be read: {error.strerror or error}"]) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRefused([f"{path}: saved as UTF-16 text; save it as 'CSV UTF-8' and import that"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return list(csv.reader(text.splitlines()))


def _xlsx_grid(path: Path) -> list[list]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a file that is not a workbook
        raise ImportRefused([f"{path}: cannot be opened as a workbook ({type(error).__name__})"]) from None
    try:
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(max_row=MAX_ROWS + 20, max_col=30, values_only=True)]
    finally:
        book.close()


@dataclass
class Plan:
    code: str
    elements: list[dict[str, str]]
    folder: Path | None = None  # where it is (or will be) under raw/plans/
    is_new: bool = False

    def codes(self, kind: str) -> list[str]:
        return [e["code"] for e in self.elements if e["kind"] == kind]

    def signature(self) -> list[tuple]:
        return sorted(
            (e["kind"], e["code"], e["name"], e.get("parent_code", ""), e.get("national_code", ""),
             *((e.get("unit", ""), e.get("indicator_kind", ""), e.get("better", "")) if e["kind"] == "indicator" else ()))
            for e in self.elements
        )

    def priority_keys(self) -> dict[str, str]:
        keys: dict[str, str] = {}
        for element in self.elements:
            if element["kind"] != "priority":
                continue
            for text in (element["code"], element["name"], element.get("short_name", "")):
                key = sql_macros.evaluate("priority_key", text) if text else ""
                if key and key not in keys:
                    keys[key] = element["code"]
        return keys

    def mechanism_class(self, code: str) -> str:
        """The national mechanism class of one of the plan's mechanisms ('' if none)."""
        return next((e.get("national_code", "").strip() for e in self.elements if e["kind"] == "mechanism" and e["code"] == code), "")

    def mechanism_keys(self) -> dict[str, str]:
        keys: dict[str, str] = {}
        for element in self.elements:
            if element["kind"] == "mechanism":
                for text in (element["code"], element["name"], element.get("short_name", "")):
                    key = sql_macros.conform_key(text)
                    if key and key not in keys:
                        keys[key] = element["code"]
        return keys


def read_plan(path: Path, raw: Path) -> Plan:
    table = read_table(path, PLAN_COLUMNS, PLAN_OPTIONAL)
    outcome_areas = {r["outcome_area"].strip() for r in read_csv(raw / "reference" / "national_outcome_areas.csv")}
    classes = {r["mechanism_class"].strip() for r in read_csv(raw / "reference" / "national_mechanism_classes.csv")}
    problems, elements, seen = [], [], set()
    for row, number in zip(table.rows, table.row_numbers, strict=True):
        where = f"{path} row {number}"
        element = {k: v.strip() for k, v in row.items()}
        element["kind"] = element["kind"].lower()
        element["national_code"] = element["national_code"].lower()
        kind, code = element["kind"], element["code"]
        if kind not in PLAN_KINDS:
            problems.append(f"{where}, column kind: '{kind}' is not theme, priority, mechanism or indicator")
            continue
        if not code:
            problems.append(f"{where}, column code: no code")
        elif (kind, code) in seen:
            problems.append(f"{where}, column code: {kind} '{code}' is in the plan twice")
        seen.add((kind, code))
        if not element["name"]:
            problems.append(f"{where}, column name: no name")
        if kind == "priority" and element["national_code"] not in outcome_areas:
            problems.append(
                f"{where}, column national_code: '{element['national_code']}' is not a national outcome area "
                f"({', '.join(sorted(outcome_areas))})"
            )
        if kind == "indicator":
            element["code"] = code = code.upper()
            for column, choices in INDICATOR_CHOICES.items():
                element[column] = (element.get(column) or "").lower() or choices[0]
                if element[column] not in choices:
                    problems.append(f"{where}, column {column}: '{element[column]}' is not {', '.join(choices[:-1])} or {choices[-1]}")
            element["bounded_by"] = (element.get("bounded_by") or "").upper()
        if kind == "mechanism" and element["national_code"] not in classes:
            problems.append(
                f"{where}, column national_code: '{element['national_code']}' is not a national mechanism class "
                f"({', '.join(sorted(classes))})"
            )
        elements.append(element)
    themes = {e["code"] for e in elements if e["kind"] == "theme"}
    priorities = {e["code"] for e in elements if e["kind"] == "priority"}
    indicators = {e["code"] for e in elements if e["kind"] == "indicator"}
    known = known_indicators(raw, exclude_plan=None)
    for element, number in zip(elements, table.row_numbers, strict=False):
        if element["kind"] == "priority" and element["parent_code"] and element["parent_code"] not in themes:
            problems.append(f"{path} row {number}, column parent_code: '{element['parent_code']}' is not a theme of the plan")
        if element["kind"] != "indicator":
            continue
        measured = [p.strip() for p in element["parent_code"].split("/")]
        unknown = [p for p in measured if p not in priorities]
        if not element["parent_code"] or unknown:
            problems.append(
                f"{path} row {number}, column parent_code: "
                + (f"'{'/'.join(unknown)}' is not a priority of the plan" if element["parent_code"] else "no priority")
                + f" (an indicator measures one or more priorities, one code or several as 'A/B': {', '.join(sorted(priorities)) or 'none'})"
            )
        if element["bounded_by"] and element["bounded_by"] not in indicators | set(known):
            problems.append(f"{path} row {number}, column bounded_by: '{element['bounded_by']}' is not an indicator of the plan")
        meaning = _meaning(element)
        if element["code"] in known and known[element["code"]][0] != meaning:
            problems.append(
                f"{path} row {number}, column code: indicator '{element['code']}' already means "
                f"{_describe(known[element['code']][0])} in {known[element['code']][1]}: give this one another code"
            )
    for kind in ("priority", "mechanism"):
        if not any(e["kind"] == kind for e in elements):
            problems.append(f"{path}: the plan has no {kind}")
    if problems:
        raise ImportRefused(problems)
    return Plan("", elements)


def _meaning(row: dict) -> tuple[str, str, str, str]:
    """What makes two indicators of one code the same: name (ignoring case and punctuation), unit, kind, direction."""
    return (
        sql_macros.conform_key(row.get("name") or row.get("indicator_name") or ""),
        (row.get("unit") or "count").strip().lower(),
        (row.get("indicator_kind") or row.get("kind") or "output").strip().lower(),
        (row.get("better") or "higher").strip().lower(),
    )


def _describe(meaning: tuple[str, str, str, str]) -> str:
    name, unit, kind, better = meaning
    return f"'{name}' ({unit}, {kind}, {better} is better)"


def known_indicators(raw: Path, exclude_plan: Path | None) -> dict[str, tuple[tuple, str]]:
    """Every indicator the project already defines, in the catalogue or in a plan: code -> (meaning, where)."""
    known: dict[str, tuple[tuple, str]] = {}
    catalogue = raw / "reference" / "indicators.csv"
    if catalogue.exists():
        for row in read_csv(catalogue):
            known.setdefault(row["indicator_code"].strip().upper(), (_meaning(row), "raw/reference/indicators.csv"))
    for path in sorted((raw / "plans").glob("*/elements.csv")):
        if exclude_plan is not None and path.parent == exclude_plan:
            continue
        for row in read_csv(path):
            if (row.get("kind") or "").strip().lower() == "indicator":
                known.setdefault(row["code"].strip().upper(), (_meaning(row), f"plan {path.parent.name}"))
    return known


def plans_of(raw: Path, commissioner: str) -> list[tuple[str, Path, dict]]:
    """(applies_from, folder, plan row) of every plan of the commissioner under raw/plans/."""
    found = []
    for path in sorted((raw / "plans").glob("*/plan.csv")):
        for row in read_csv(path):
            if row["commissioner_code"].strip() == commissioner:
                found.append((row["applies_from"].strip(), path.parent, row))
    return sorted(found, key=lambda p: p[0])


def plan_in_force(raw: Path, commissioner: str, year: str) -> Plan | None:
    in_force = [p for p in plans_of(raw, commissioner) if p[0] <= year]
    if not in_force:
        return None
    _, folder, row = in_force[-1]
    elements = [
        {**{k: (v or "").strip() for k, v in e.items()}, "kind": (e["kind"] or "").strip().lower()}
        for e in read_csv(folder / "elements.csv")
    ]
    return Plan(row["plan_code"].strip(), elements, folder)


@dataclass
class Imported:
    version_folder: Path
    plan: Plan
    lines: int
    total_gbp: Decimal
    new_contracts: list[str] = field(default_factory=list)
    printed_total_gbp: Decimal | None = None
    difference_gbp: Decimal = Decimal(0)
    commissioner_added: bool = False
    funding_stream: str = ""
    framework_version: str = ""

    def summary(self) -> list[str]:
        lines = [
            f"Wrote {self.version_folder}: {self.framework_version} ({self.funding_stream}), {self.lines} allocation lines, "
            f"£{self.total_gbp:,.2f}",
            (f"Plan {self.plan.code} (new, from this version's year)" if self.plan.is_new else f"Plan {self.plan.code} (in force)")
            + f": {len(self.plan.codes('theme'))} themes, {len(self.plan.codes('priority'))} priorities, "
            f"{len(self.plan.codes('mechanism'))} funding mechanisms, {len(self.plan.codes('indicator'))} indicators",
        ]
        if self.new_contracts:
            lines.append(f"{len(self.new_contracts)} new contract id(s): {self.new_contracts[0]} .. {self.new_contracts[-1]}")
        if self.printed_total_gbp is not None:
            lines.append(
                f"Printed total £{self.printed_total_gbp:,.2f}"
                + (f", £{abs(self.difference_gbp):,.2f} away from the rows: accepted, and listed as a discrepancy" if self.difference_gbp else ": the rows add up to it")
            )
        lines.append("Next: opcc refresh")
        return lines


# size: one transaction: every line rule checked, then written or refused as a whole.
def import_allocations(
    register: Path,
    raw: Path,
    *,
    commissioner: str,
    version: str,
    plan_file: Path | None,
    name: str | None = None,
    printed_total: str | None = None,
    accept_difference: str | None = None,
    targets_file: Path | None = None,
    stream: str | None = None,
    fund: str | None = None,
    returns: str | None = None,
) -> Imported:
    problems = []
    stream = (stream or str(setting("default_funding_stream"))).strip()
    streams = reference_codes(raw, "funding_streams.csv", "funding_stream")
    if stream not in streams:
        problems.append(f"--stream '{stream}' is not a funding stream ({', '.join(streams)})")
    rhythms = reference_codes(raw, "reporting_rhythms.csv", "reporting_rhythm")
    default_rhythm = None
    if returns is not None:
        default_rhythm = rhythm_code(returns)
        if default_rhythm not in rhythms:
            problems.append(f"--returns '{returns}' is not a reporting rhythm ({', '.join(rhythms)})")
    if fund is not None and not fund.strip():
        problems.append("--fund needs the commissioner's name for the fund in words")
    if not CODE.fullmatch(commissioner or ""):
        problems.append(f"commissioner code '{commissioner}' is not 2 to 5 capital letters")
    match = VERSION.fullmatch((version or "").strip())
    if not match or int(match["end"]) != (int(match["start"]) + 1) % 100:
        problems.append(f"version '{version}' is not like '2017-18 v1' (a financial year and a version number)")
    if accept_difference is not None and printed_total is None:
        problems.append("--accept-difference needs --printed-total: it records why a printed total differs from the rows")
    if accept_difference is not None and not accept_difference.strip():
        problems.append("--accept-difference needs a reason in words")
    if problems:
        raise ImportRefused(problems)
    year, number = match["year"], int(match["number"])
    commissioners = read_csv(raw / "reference" / "commissioners.csv")
    known = {c["commissioner_code"].strip() for c in commissioners}
    if commissioner not in known and not name:
        raise ImportRefused([f"commissioner {commissioner} is new: give its name with --name \"Office of the PCC for ...\""])
    default_stream = stream == str(setting("default_funding_stream"))
    # Versions are per commissioner, year and stream: another stream's register of the same year
    # never supersedes the framework, so its version names (and folder) carry the stream.
    version = f"{year} v{number}" if default_stream else f"{year} {stream} v{number}"
    folder = raw / "framework" / (f"{commissioner}-{year}-v{number}" if default_stream else f"{commissioner}-{year}-{stream}-v{number}")
    existing = _versions(raw, commissioner)
    if (year, stream, number) in existing or folder.exists():
        latest = max((n for y, s, n in existing if y == year and s == stream), default=number)
        raise ImportRefused([
            f"{commissioner} {version} ({stream}) is already in {existing.get((year, stream, number), folder)}; "
            f"import it as v{latest + 1}"
        ])

    plan = _choose_plan(raw, commissioner, year, plan_file)
    table = read_table(register, REQUIRED, OPTIONAL)
    if not table.rows:
        raise ImportRefused([f"{register}: no rows under the header"])
    lines, problems = _read_lines(table, plan)
    for line in lines:
        cell = line.get("returns", "")
        line["rhythm"] = rhythm_code(cell) if cell.strip() else default_rhythm
        if cell.strip() and line["rhythm"] not in rhythms:
            problems.append(
                f"{register} row {line['row']}, column returns: '{cell}' is not a reporting rhythm ({', '.join(rhythms)})"
            )
    total = sum((line["amount"] for line in lines), Decimal(0))
    printed_gbp, difference = None, Decimal(0)
    if printed_total is not None:
        (printed,) = read_printed_amounts([printed_total], millions=True)
        printed_gbp = printed.value
        if printed_gbp is None:
            problems.append(
                f"--printed-total '{printed_total}' " + (printed.why.split(": ", 1)[1] if printed.why else "does not read as an amount of money")
            )
        else:
            difference = total - printed_gbp
            if difference and abs(difference) <= printed.precision and accept_difference is None:
                # Within the printed precision ('£2.765m' is to the nearest £1,000): rounding, recorded as such.
                accept_difference = (
                    f"rounding: the printed total {printed_total.strip()} is to the nearest £{2 * printed.precision:,.0f}"
                )
            elif difference and accept_difference is None:
                shown = f"£{printed_gbp:,.2f}" + (f" ({printed_total.strip()})" if printed.precision else "")
                problems.append(
                    f"the register's rows add up to £{total:,.2f}, £{abs(difference):,.2f} "
                    f"{'more' if difference > 0 else 'less'} than the printed total {shown}"
                    + (f", beyond its printed precision (± £{printed.precision:,.0f})" if printed.precision else "")
                    + ": correct the register, or record why with --accept-difference \"reason\""
                )
    if problems:
        raise ImportRefused(problems)

    registry_path = raw / "framework" / "contracts.csv"
    registry = read_csv(registry_path)
    same_stream = {v for (_, s, _), f in existing.items() if s == stream for v in _version_names(f)}
    ids, new_contracts = _assign_ids(lines, registry, commissioner, version, same_stream)
    targets = _read_targets(targets_file, lines, ids, plan, year, raw) if targets_file is not None else []
    # Everything checked: write.
    if commissioner not in known:
        commissioners.append({"commissioner_code": commissioner, "commissioner_name": name or "", "police_force_area": "", "region": ""})
        write_csv(raw / "reference" / "commissioners.csv", COMMISSIONER_COLUMNS, commissioners)
    if plan.is_new:
        plan.folder.mkdir(parents=True)
        write_csv(plan.folder / "plan.csv", PLAN_FILE_COLUMNS, [{
            "plan_code": plan.code, "commissioner_code": commissioner, "plan_name": plan_file.stem,
            "applies_from": year, "source_document": plan_file.name,
        }])
        columns = PLAN_COLUMNS + tuple(c for c in PLAN_OPTIONAL if any(e.get(c) for e in plan.elements))
        write_csv(plan.folder / "elements.csv", columns, plan.elements)
    write_csv(folder / "framework.csv", (*FRAMEWORK_COLUMNS, "funding_stream", "fund_name"), [{
        "framework_version": version, "commissioner_code": commissioner, "financial_year": year,
        "version_number": number, "document_date": "", "source_document": register.name,
        "funding_stream": stream, "fund_name": (fund or "").strip(),
    }])
    rhythm_given = any(line["rhythm"] for line in lines)
    write_csv(folder / "allocation_lines.csv", LINE_COLUMNS + (("returns_printed",) if rhythm_given else ()), [
        {
            "framework_version": version, "source_table": "register", "line_number": index,
            "source_line": line["row"], "contract_id": ids[index - 1], "theme_printed": "",
            "initiative_printed": line["initiative"], "value_printed": line["allocated_gbp"],
            "provider_printed": line["provider"], "mechanism_printed": line["funding_mechanism"],
            "primary_priority_printed": line["primary_priority"], "secondary_priority_printed": line["secondary_priority"],
            "reach_printed": line["reach"], "need_printed": "", "linkage_printed": "", "extraction_note": "",
            **({"returns_printed": line["rhythm"] or ""} if rhythm_given else {}),
        }
        for index, line in enumerate(lines, start=1)
    ])
    if printed_gbp is not None:
        write_csv(folder / "published_totals.csv", (*TOTAL_COLUMNS, "difference_accepted_gbp", "accepted_because"), [{
            "framework_version": version, "source_table": "register", "total_kind": "grand_total",
            "label_printed": "Total", "theme_printed": "", "value_printed": printed_total.strip(), "source_line": "",
            "difference_accepted_gbp": f"{difference}" if difference else "",
            "accepted_because": accept_difference.strip() if difference and accept_difference else "",
        }])
    groups = {ids[i]: line["service_group"] for i, line in enumerate(lines)}
    changed_groups = False
    for contract in registry:
        if contract["contract_id"] in groups and (contract.get("service_group") or "") != groups[contract["contract_id"]]:
            contract["service_group"], changed_groups = groups[contract["contract_id"]], True
    if new_contracts or changed_groups:
        write_registry(registry_path, registry + new_contracts)
    if targets:
        path = raw / "reference" / "targets.csv"
        replaced = {(t["contract_id"], t["financial_year"], t["indicator_code"]) for t in targets}
        kept = [
            {c: (r.get(c) or "") for c in TARGET_COLUMNS} for r in read_csv(path)
            if ((r.get("contract_id") or "").strip(), (r.get("financial_year") or "").strip(),
                (r.get("indicator_code") or "").strip().upper()) not in replaced
        ]
        write_csv(path, TARGET_COLUMNS, kept + targets)
    return Imported(folder, plan, len(lines), total, [c["contract_id"] for c in new_contracts], printed_gbp, difference,
                    commissioner not in known, stream, version)


TARGET_COLUMNS = ("contract_id", "financial_year", "indicator_code", "annual_target")


def _read_targets(path: Path, lines: list[dict], ids: list[str], plan: Plan, year: str, raw: Path) -> list[dict]:
    """The targets file, each row's contract found among the register's lines (by contract_ref or
    initiative) and its indicator among the plan's; every problem refused, one line each."""
    table = read_table(path, ("financial_year", "indicator_code", "annual_target"), ("contract_ref", "initiative"))
    by_ref = {line["contract_ref"]: ids[i] for i, line in enumerate(lines) if line["contract_ref"]}
    by_initiative: dict[str, list[str]] = {}
    for i, line in enumerate(lines):
        by_initiative.setdefault(sql_macros.conform_key(line["initiative"]), []).append(ids[i])
    indicators = set(plan.codes("indicator"))
    if plan.folder is not None:
        indicators |= {r["indicator_code"].strip().upper() for r in read_csv(plan.folder / "indicators.csv")}
    problems, targets, seen = [], [], {}
    for row, number in zip(table.rows, table.row_numbers, strict=True):
        where = f"{path} row {number}"
        ref, initiative = row.get("contract_ref", "").strip(), row.get("initiative", "").strip()
        contract = None
        if ref:
            contract = by_ref.get(ref)
            if contract is None:
                problems.append(f"{where}, column contract_ref: '{ref}' is not a contract_ref of the register")
        elif initiative:
            found = by_initiative.get(sql_macros.conform_key(initiative), [])
            if len(found) == 1:
                contract = found[0]
            else:
                problems.append(
                    f"{where}, column initiative: '{initiative}' "
                    + ("is not an initiative of the register" if not found else f"names {len(found)} contracts: give contract_ref")
                )
        else:
            problems.append(f"{where}, column contract_ref: no contract_ref or initiative names the contract")
        fy = row["financial_year"].strip()
        if fy != year:
            problems.append(f"{where}, column financial_year: '{fy}' is not the version's year {year}")
        code = row["indicator_code"].strip().upper()
        if code not in indicators:
            problems.append(f"{where}, column indicator_code: '{code}' is not an indicator of the plan ({', '.join(sorted(indicators)) or 'none'})")
        value = sql_macros.parse_gbp(row["annual_target"]) if row["annual_target"].strip() else None
        if value is None:
            problems.append(f"{where}, column annual_target: '{row['annual_target'].strip()}' is not a number")
        key = (contract, fy, code)
        if contract and key in seen:
            problems.append(f"{where}, column indicator_code: a second target for {code} of this contract (row {seen[key]})")
        seen[key] = number
        if contract and value is not None:
            targets.append({"contract_id": contract, "financial_year": fy, "indicator_code": code, "annual_target": f"{value.normalize():f}"})
    if problems:
        raise ImportRefused(problems)
    return targets


def reference_codes(raw: Path, file: str, column: str) -> list[str]:
    """The codes of a national list in raw/reference/ (funding streams, reporting rhythms)."""
    path = raw / "reference" / file
    if not path.exists():
        raise ImportRefused([f"{path}: missing; the list of allowed {column.replace('_', ' ')}s is read from it"])
    return [code for row in read_csv(path) if (code := (row.get(column) or "").strip().lower())]


def rhythm_code(text: str) -> str:
    """A reporting rhythm as written in a register ('Half yearly', 'ANNUAL') as its code ('half-yearly')."""
    return re.sub(r"[\s_]+", "-", text.strip().lower())


def _versions(raw: Path, commissioner: str) -> dict[tuple[str, str, int], Path]:
    """Every version of the commissioner: (financial year, funding stream, number) -> its folder."""
    found = {}
    default = str(setting("default_funding_stream"))
    for path in (raw / "framework").glob("*/framework.csv"):
        for row in read_csv(path):
            if row["commissioner_code"].strip() == commissioner:
                stream = (row.get("funding_stream") or "").strip().lower() or default
                found[(row["financial_year"].strip(), stream, int(row["version_number"] or 0))] = path.parent
    return found


def _version_names(folder: Path) -> list[str]:
    return [row["framework_version"].strip() for row in read_csv(folder / "framework.csv")]


def _choose_plan(raw: Path, commissioner: str, year: str, plan_file: Path | None) -> Plan:
    in_force = plan_in_force(raw, commissioner, year)
    if plan_file is None:
        if in_force is None:
            raise ImportRefused([f"no plan of {commissioner} is in force in {year}: give the plan with --plan PLAN.csv"])
        return in_force
    given = read_plan(plan_file, raw)
    if in_force is not None and given.signature() == in_force.signature():
        return in_force  # the same plan again: the one in force carries on
    code = f"{commissioner}-{year}"
    starting = [p for p in plans_of(raw, commissioner) if p[0] == year]
    if starting:
        raise ImportRefused([
            f"{plan_file}: a different plan of {commissioner} already applies from {year} ({starting[0][1]}); "
            "edit that plan, or import without --plan to use it"
        ])
    given.code, given.folder, given.is_new = code, raw / "plans" / code, True
    return given


# What a refresh would refuse about one register line, checked before anything is written. Each rule
# takes (the row as text keyed by column, its amount or None when it does not read, the plan) and
# returns (column, reason) or None. Add a rule here and `opcc import-allocations` refuses the line
# with one line naming the row and the column; the refresh keeps its own check of the same rule.
LineRule = Callable[[dict, "Decimal | None", "Plan"], "tuple[str, str] | None"]


def _amount_positive(row: dict, amount: Decimal | None, plan: Plan) -> tuple[str, str] | None:
    if amount is not None and amount <= 0:
        return "allocated_gbp", (
            f"£{amount:,.2f} is not an allocation: every amount published must be more than £0 "
            "(leave a line that carries no money out of the register)"
        )
    return None


def _grant_names_recipient(row: dict, amount: Decimal | None, plan: Plan) -> tuple[str, str] | None:
    """A grant is published with its recipient: a line under a grant mechanism must name one."""
    mechanism = plan.mechanism_keys().get(sql_macros.conform_key(row["funding_mechanism"]))
    if mechanism is None or plan.mechanism_class(mechanism) not in set(setting("grant_mechanism_classes")):
        return None
    named = sql_macros.conform_key(row["provider"])
    unnamed = {sql_macros.conform_key(t) for t in setting("providers_not_yet_named")} | {sql_macros.conform_key(b) for b in BLANK}
    if not named or named in unnamed:
        return "provider", (
            f"'{row['provider']}' names no recipient, and a line under {row['funding_mechanism']} (a grant mechanism) is "
            "published as a grant to its recipient: name the organisation the grant goes to"
        )
    return None


LINE_RULES: list[LineRule] = [_amount_positive, _grant_names_recipient]


def _read_lines(table: Table, plan: Plan) -> tuple[list[dict], list[str]]:
    problems, lines = [], []
    priorities, mechanisms = plan.priority_keys(), plan.mechanism_keys()
    valid_priorities = ", ".join(plan.codes("priority"))
    valid_mechanisms = ", ".join(plan.codes("mechanism"))
    refs: dict[str, int] = {}
    amounts = read_printed_amounts([row["allocated_gbp"] for row in table.rows])
    for row, number, read in zip(table.rows, table.row_numbers, amounts, strict=True):
        where = f"{table.path} row {number}"
        for column in ("initiative", "provider"):
            if not row[column]:
                problems.append(f"{where}, column {column}: no {column}")
        amount = read.value if row["allocated_gbp"] else None
        if amount is None and read.why:
            problems.append(f"{where}, column allocated_gbp: {read.why}")
        elif amount is None:
            problems.append(
                f"{where}, column allocated_gbp: '{row['allocated_gbp']}' is not an amount of money "
                "(write it like 1234, 1,234 or £1,234.50)"
            )
        if sql_macros.conform_key(row["funding_mechanism"]) not in mechanisms:
            problems.append(
                f"{where}, column funding_mechanism: '{row['funding_mechanism']}' is not a funding mechanism of plan "
                f"{plan.code or '(new)'} ({valid_mechanisms})"
            )
        if not _resolves(row["primary_priority"], priorities):
            problems.append(
                f"{where}, column primary_priority: '{row['primary_priority']}' is not a priority of plan "
                f"{plan.code or '(new)'} ({valid_priorities})"
            )
        secondary = row["secondary_priority"]
        if secondary.strip() not in BLANK and not _resolves(secondary, priorities):
            problems.append(
                f"{where}, column secondary_priority: '{secondary}' is not a priority of plan {plan.code or '(new)'} "
                f"({valid_priorities}); leave it blank if there is none"
            )
        for rule in LINE_RULES:
            problem = rule(row, amount, plan)
            if problem:
                column, reason = problem
                problems.append(f"{where}, column {column}: {reason}")
        ref = row["contract_ref"]
        if ref:
            if ref in refs:
                problems.append(f"{where}, column contract_ref: '{ref}' is also on row {refs[ref]}")
            refs[ref] = number
        lines.append({**row, "amount": amount or Decimal(0), "row": number})
    return lines, problems


def _resolves(cell: str, keys: dict[str, str]) -> bool:
    if not cell.strip():
        return False
    if sql_macros.evaluate("priority_key", cell) in keys:
        return True
    return all(token in keys for token in sql_macros.evaluate("priority_tokens", cell))


def _assign_ids(
    lines: list[dict], registry: list[dict], commissioner: str, version: str, same_stream: set[str]
) -> tuple[list[str], list[dict]]:
    """A contract keeps its id from version to version of the same funding stream: matched by the
    commissioner's own reference when the register gives one, else by initiative and provider, else by
    an initiative no other contract of the commissioner has (spelling-insensitive: a provider may be
    printed two ways). Another stream's contracts are other contracts, however they are named."""
    own = [
        c for c in registry
        if c["commissioner_code"].strip() == commissioner and c["first_framework_version"].strip() in same_stream
    ]
    by_ref = {c.get("contract_ref", "").strip(): c["contract_id"] for c in own if c.get("contract_ref", "").strip()}
    by_name: dict[tuple[str, str], str] = {}
    by_initiative: dict[str, list[str]] = {}
    for contract in own:
        initiative = sql_macros.conform_key(contract["initiative_name"])
        by_name[(initiative, sql_macros.conform_key(contract["provider"]))] = contract["contract_id"]
        by_initiative.setdefault(initiative, []).append(contract["contract_id"])
    sequence = max(
        (int(m[1]) for c in registry if (m := re.fullmatch(rf"{re.escape(commissioner)}-(\d+)", c["contract_id"].strip()))),
        default=0,
    )
    ids, new, used = [], [], set()
    for line in lines:
        initiative = sql_macros.conform_key(line["initiative"])
        candidates = [
            by_ref.get(line["contract_ref"]) if line["contract_ref"] else None,
            by_name.get((initiative, sql_macros.conform_key(line["provider"]))),
            by_initiative[initiative][0] if len(by_initiative.get(initiative, [])) == 1 else None,
        ]
        if line["contract_ref"] and line["contract_ref"] not in by_ref and by_ref:
            candidates = [None]  # the commissioner numbers its contracts: a new reference is a new contract
        found = next((c for c in candidates if c and c not in used), None)
        if found:
            ids.append(found)
            used.add(found)
            continue
        sequence += 1
        contract_id = f"{commissioner}-{sequence:03d}"
        ids.append(contract_id)
        used.add(contract_id)
        new.append({
            "contract_id": contract_id, "commissioner_code": commissioner, "first_framework_version": version,
            "strategic_theme": "", "initiative_name": line["initiative"], "description": line["description"],
            "provider": line["provider"], "funding_mechanism": line["funding_mechanism"],
            "primary_priority": line["primary_priority"], "secondary_priority": line["secondary_priority"],
            "geographical_reach": line["reach"], "contract_ref": line["contract_ref"],
            "service_group": line["service_group"],
        })
    return ids, new

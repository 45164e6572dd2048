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
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from opcc.core.settings import setting
from opcc.framework_import.importer import read_csv, write_csv, write_registry
from opcc.framework_import.plans import PLAN_COLUMNS, PLAN_FILE_COLUMNS, PLAN_OPTIONAL, Plan, choose_plan
from opcc.framework_import.register_file import ImportRefused, read_table
from opcc.framework_import.register_lines import TARGET_COLUMNS, assign_ids, read_lines, read_targets
from opcc.ingest.numbers import read_printed_amounts
from opcc.ingest.raw_tables import RAW_TABLES_BY_NAME

REQUIRED = ("initiative", "provider", "allocated_gbp", "funding_mechanism", "primary_priority")
OPTIONAL = ("contract_ref", "secondary_priority", "reach", "description", "returns", "service_group")
VERSION = re.compile(r"^(?P<year>(?P<start>\d{4})-(?P<end>\d{2})) v(?P<number>[1-9]\d{0,2})$", re.ASCII)  # v1 to v999, ASCII digits, as the models read them
CODE = re.compile(r"^[A-Z]{2,5}$")
# The files written, by the one manifest of raw file schemas (raw_files.yml).
COMMISSIONERS, VERSIONS = RAW_TABLES_BY_NAME["commissioners"], RAW_TABLES_BY_NAME["framework_versions"]
LINES, TOTALS = RAW_TABLES_BY_NAME["allocation_lines"], RAW_TABLES_BY_NAME["published_totals"]


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


@dataclass
class Options:
    """The command's options, checked: the version's year, number and name, its stream and folder."""

    year: str
    number: int
    version: str
    stream: str
    folder: Path
    rhythms: list[str]
    default_rhythm: str | None
    existing: dict[tuple[str, str, int], Path]


def _check_options(
    raw: Path, commissioner: str, version: str, stream: str | None, fund: str | None, returns: str | None,
    printed_total: str | None, accept_difference: str | None,
) -> Options:
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
    default_stream = stream == str(setting("default_funding_stream"))
    # Versions are per commissioner, year and stream: another stream's register of the same year
    # never supersedes the framework, so its version names (and folder) carry the stream.
    version = f"{year} v{number}" if default_stream else f"{year} {stream} v{number}"
    folder = raw / "framework" / (f"{commissioner}-{year}-v{number}" if default_stream else f"{commissioner}-{year}-{stream}-v{number}")
    return Options(year, number, version, stream, folder, rhythms, default_rhythm, _versions(raw, commissioner))


def _check_printed_total(
    total: Decimal, printed_total: str | None, accept_difference: str | None, problems: list[str]
) -> tuple[Decimal | None, Decimal, str | None]:
    """(the printed total, the rows' difference from it, why it is accepted); problems added to `problems`."""
    if printed_total is None:
        return None, Decimal(0), accept_difference
    (printed,) = read_printed_amounts([printed_total], millions=True)
    if printed.value is None:
        problems.append(
            f"--printed-total '{printed_total}' " + (printed.why.split(": ", 1)[1] if printed.why else "does not read as an amount of money")
        )
        return None, Decimal(0), accept_difference
    difference = total - printed.value
    if difference and abs(difference) <= printed.precision and accept_difference is None:
        # Within the printed precision ('£2.765m' is to the nearest £1,000): rounding, recorded as such.
        accept_difference = f"rounding: the printed total {printed_total.strip()} is to the nearest £{2 * printed.precision:,.0f}"
    elif difference and accept_difference is None:
        shown = f"£{printed.value:,.2f}" + (f" ({printed_total.strip()})" if printed.precision else "")
        problems.append(
            f"the register's rows add up to £{total:,.2f}, £{abs(difference):,.2f} "
            f"{'more' if difference > 0 else 'less'} than the printed total {shown}"
            + (f", beyond its printed precision (± £{printed.precision:,.0f})" if printed.precision else "")
            + ": correct the register, or record why with --accept-difference \"reason\""
        )
    return printed.value, difference, accept_difference


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
    """One transaction: every rule checked, then everything written, or nothing and every problem refused."""
    options = _check_options(raw, commissioner, version, stream, fund, returns, printed_total, accept_difference)
    year, number, version, stream, folder = options.year, options.number, options.version, options.stream, options.folder
    commissioners = read_csv(raw / "reference" / "commissioners.csv")
    known = {c["commissioner_code"].strip() for c in commissioners}
    if commissioner not in known and not name:
        raise ImportRefused([f"commissioner {commissioner} is new: give its name with --name \"Office of the PCC for ...\""])
    existing = options.existing
    if (year, stream, number) in existing or folder.exists():
        latest = max((n for y, s, n in existing if y == year and s == stream), default=number)
        raise ImportRefused([
            f"{commissioner} {version} ({stream}) is already in {existing.get((year, stream, number), folder)}; "
            f"import it as v{latest + 1}"
        ])

    plan = choose_plan(raw, commissioner, year, plan_file)
    table = read_table(register, REQUIRED, OPTIONAL)
    if not table.rows:
        raise ImportRefused([f"{register}: no rows under the header"])
    lines, problems = read_lines(table, plan)
    for line in lines:
        cell = line.get("returns", "")
        line["rhythm"] = rhythm_code(cell) if cell.strip() else options.default_rhythm
        if cell.strip() and line["rhythm"] not in options.rhythms:
            problems.append(
                f"{register} row {line['row']}, column returns: '{cell}' is not a reporting rhythm ({', '.join(options.rhythms)})"
            )
    total = sum((line["amount"] for line in lines), Decimal(0))
    printed_gbp, difference, accept_difference = _check_printed_total(total, printed_total, accept_difference, problems)
    if problems:
        raise ImportRefused(problems)

    registry_path = raw / "framework" / "contracts.csv"
    registry = read_csv(registry_path)
    same_stream = {v for (_, s, _), f in existing.items() if s == stream for v in _version_names(f)}
    ids, new_contracts = assign_ids(lines, registry, commissioner, version, same_stream)
    targets = read_targets(targets_file, lines, ids, plan, year, raw) if targets_file is not None else []
    # Everything checked: write.
    if commissioner not in known:
        commissioners.append({"commissioner_code": commissioner, "commissioner_name": name or "", "police_force_area": "", "region": ""})
        write_csv(raw / "reference" / "commissioners.csv", COMMISSIONERS.columns, commissioners)
    if plan.is_new:
        _write_plan(plan, commissioner, year, plan_file)
    write_csv(folder / "framework.csv", VERSIONS.all_columns, [{
        "framework_version": version, "commissioner_code": commissioner, "financial_year": year,
        "version_number": number, "document_date": "", "source_document": register.name,
        "funding_stream": stream, "fund_name": (fund or "").strip(),
    }])
    _write_lines(folder, version, lines, ids)
    if printed_gbp is not None:
        write_csv(folder / "published_totals.csv", TOTALS.all_columns, [{
            "framework_version": version, "source_table": "register", "total_kind": "grand_total",
            "label_printed": "Total", "theme_printed": "", "value_printed": printed_total.strip(), "source_line": "",
            "difference_accepted_gbp": f"{difference}" if difference else "",
            "accepted_because": accept_difference.strip() if difference and accept_difference else "",
        }])
    _write_registry(registry_path, registry, new_contracts, {ids[i]: line["service_group"] for i, line in enumerate(lines)})
    if targets:
        _write_targets(raw / "reference" / "targets.csv", targets)
    return Imported(folder, plan, len(lines), total, [c["contract_id"] for c in new_contracts], printed_gbp, difference,
                    commissioner not in known, stream, version)


def _write_plan(plan: Plan, commissioner: str, year: str, plan_file: Path) -> None:
    plan.folder.mkdir(parents=True)
    write_csv(plan.folder / "plan.csv", PLAN_FILE_COLUMNS, [{
        "plan_code": plan.code, "commissioner_code": commissioner, "plan_name": plan_file.stem,
        "applies_from": year, "source_document": plan_file.name,
    }])
    columns = PLAN_COLUMNS + tuple(c for c in PLAN_OPTIONAL if any(e.get(c) for e in plan.elements))
    write_csv(plan.folder / "elements.csv", columns, plan.elements)


def _write_lines(folder: Path, version: str, lines: list[dict], ids: list[str]) -> None:
    rhythm_given = any(line["rhythm"] for line in lines)
    write_csv(folder / "allocation_lines.csv", LINES.columns + (LINES.optional_columns if rhythm_given else ()), [
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


def _write_registry(path: Path, registry: list[dict], new_contracts: list[dict], groups: dict[str, str]) -> None:
    """The contract registry with the new contracts, and the service groups the register gives."""
    changed_groups = False
    for contract in registry:
        if contract["contract_id"] in groups and (contract.get("service_group") or "") != groups[contract["contract_id"]]:
            contract["service_group"], changed_groups = groups[contract["contract_id"]], True
    if new_contracts or changed_groups:
        write_registry(path, registry + new_contracts)


def _write_targets(path: Path, targets: list[dict]) -> None:
    """targets.csv with these targets in place of any earlier ones of the same contract, year and indicator."""
    replaced = {(t["contract_id"], t["financial_year"], t["indicator_code"]) for t in targets}
    kept = [
        {c: (r.get(c) or "") for c in TARGET_COLUMNS} for r in read_csv(path)
        if ((r.get("contract_id") or "").strip(), (r.get("financial_year") or "").strip(),
            (r.get("indicator_code") or "").strip().upper()) not in replaced
    ]
    write_csv(path, TARGET_COLUMNS, kept + targets)


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

















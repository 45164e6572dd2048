"""Turn a parsed framework document into the canonical allocation CSVs in raw/.

Output, one folder per framework version (the files `raw/framework/<folder>/`
holds and the warehouse loads):

    framework.csv            the version: commissioner, financial year, date
    allocation_lines.csv     every allocation row of every table, printed fields as printed
    published_totals.csv     every subtotal and total as printed
    budget_lines.csv         the budget figures of section 3 and the reserve
    <area table>.csv         the table of money by community safety partnership (leicestershire.yml)
    strategic_priorities.csv the priorities as printed

and the contract registry `raw/framework/contracts.csv` gains a row for
each line seen for the first time (ids are never reused or renumbered).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from opcc.core.settings import MAX_FILE_BYTES, csv_module
from opcc.framework_import.adapter import ADAPTER
from opcc.framework_import.parser import ParsedFramework, Row, money, parse_framework
from opcc.framework_import.text import comparable, split_initiative
from opcc.ingest.filetypes import OLE2_MAGIC
from opcc.ingest.raw_tables import RAW_TABLES_BY_NAME

csv = csv_module()

# The columns of each file written, from the one manifest of raw file schemas (raw_files.yml).
CONTRACT_COLUMNS = RAW_TABLES_BY_NAME["contracts"].columns
LINE_COLUMNS = RAW_TABLES_BY_NAME["allocation_lines"].columns
TOTAL_COLUMNS = RAW_TABLES_BY_NAME["published_totals"].columns
FRAMEWORK_COLUMNS = RAW_TABLES_BY_NAME["framework_versions"].columns

# Tables in the order a line's attributes are trusted: the appendices are the
# framework proper; the decision record's Table 1 restates them.
TABLE_ORDER = ("appendix_b", "appendix_c", "table_1")
MATCH_THRESHOLD = 0.72


@dataclass
class ImportResult:
    parsed: ParsedFramework
    lines: list[dict]
    new_contracts: list[dict]
    reconciliation: list[dict]

    @property
    def ok(self) -> bool:
        return not self.parsed.flags and all(r["status"] == "ok" for r in self.reconciliation)


def read_csv(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_csv(path: Path, columns: tuple[str, ...], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})


def write_registry(path: Path, contracts: list[dict]) -> None:
    """The contract registry, with the commissioners' own references and service groups when any contract has one."""
    has_refs = any((c.get("contract_ref") or "").strip() for c in contracts)
    has_groups = any((c.get("service_group") or "").strip() for c in contracts)
    write_csv(path, CONTRACT_COLUMNS + (("contract_ref",) if has_refs else ()) + (("service_group",) if has_groups else ()), contracts)


def _match_key(initiative: str) -> str:
    return comparable(initiative)


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, _match_key(a), _match_key(b), autojunk=False).ratio()


def _registry_text(contract: dict) -> str:
    description = contract.get("description") or ""
    return f"{contract['initiative_name']} – {description}" if description else contract["initiative_name"]


def assign_contracts(rows: list[Row], registry: list[dict], commissioner: str, version: str) -> tuple[dict[int, str], list[dict]]:
    """Give each row a contract_id: an existing one when the row is that line again, else a new one.

    Matching is by the printed initiative text (spelling-insensitive) with the
    value and provider as tie-breakers; each registry contract takes at most one
    row per table, best matches first.
    """
    known = [c for c in registry if c["commissioner_code"] == commissioner]
    assigned: dict[int, str] = {}
    new: list[dict] = []
    sequence = max((int(m[1]) for c in registry if (m := re.match(rf"^{re.escape(commissioner)}-(\d+)$", c["contract_id"]))), default=0)
    values_by_contract: dict[str, set[str]] = {}
    for table in TABLE_ORDER:
        table_rows = [r for r in rows if r.table == table]
        candidates = known + new
        scored = []
        for index, row in enumerate(table_rows):
            for contract in candidates:
                score = _similarity(row.cells["initiative_printed"], _registry_text(contract))
                if money(row.cells["value_printed"]) and row.cells["value_printed"] in values_by_contract.get(contract["contract_id"], set()):
                    score += 0.1
                provider = row.cells.get("provider_printed", "")
                if provider and comparable(provider) == comparable(contract["provider"]):
                    score += 0.05
                scored.append((score, index, contract["contract_id"]))
        scored.sort(key=lambda s: (-s[0], s[1], s[2]))
        used_rows: set[int] = set()
        used_contracts: set[str] = set()
        for score, index, contract_id in scored:
            if score < MATCH_THRESHOLD or index in used_rows or contract_id in used_contracts:
                continue
            used_rows.add(index)
            used_contracts.add(contract_id)
            assigned[id(table_rows[index])] = contract_id
        for index, row in enumerate(table_rows):
            if index in used_rows:
                continue
            sequence += 1
            contract_id = f"{commissioner}-{sequence:03d}"
            name, description = split_initiative(row.cells["initiative_printed"])
            contract = {
                "contract_id": contract_id,
                "commissioner_code": commissioner,
                "first_framework_version": version,
                "strategic_theme": row.cells.get("theme_printed", ""),
                "initiative_name": name,
                "description": description,
                "provider": row.cells.get("provider_printed", ""),
                "funding_mechanism": row.cells.get("mechanism_printed", ""),
                "primary_priority": row.cells.get("primary_priority_printed", ""),
                "secondary_priority": row.cells.get("secondary_priority_printed", ""),
                "geographical_reach": row.cells.get("reach_printed", ""),
            }
            new.append(contract)
            assigned[id(row)] = contract_id
        for row in table_rows:
            values_by_contract.setdefault(assigned[id(row)], set()).add(row.cells["value_printed"])
    # A contract first seen in an appendix without attributes (Appendix C prints
    # none) takes them from the decision record's Table 1 of the same document.
    by_id = {c["contract_id"]: c for c in new}
    for row in rows:
        contract = by_id.get(assigned[id(row)])
        if contract and row.table == "table_1":
            for field, cell in (
                ("strategic_theme", "theme_printed"),
                ("provider", "provider_printed"),
                ("funding_mechanism", "mechanism_printed"),
                ("primary_priority", "primary_priority_printed"),
                ("secondary_priority", "secondary_priority_printed"),
                ("geographical_reach", "reach_printed"),
            ):
                if not contract[field]:
                    contract[field] = row.cells.get(cell, "")
    return assigned, new


def reconcile(parsed: ParsedFramework) -> list[dict]:
    """Check every printed subtotal and total against the rows read."""
    checks = []
    for total in parsed.totals:
        table = total["source_table"]
        if table == "plf_table":
            rows_sum = sum(money(r["value_printed"]) for r in parsed.plf_rows)
        else:
            rows = [r for r in parsed.allocation_rows if r.table == table]
            if total["total_kind"] == "theme_subtotal":
                rows = [r for r in rows if comparable(r.cells["theme_printed"]) == comparable(total["theme_printed"])]
            rows_sum = sum(money(r.cells["value_printed"]) for r in rows)
        printed = money(total["value_printed"])
        checks.append(
            {
                "source_table": table,
                "label": total["label_printed"],
                "printed": printed,
                "from_rows": rows_sum,
                "status": "ok" if printed == rows_sum else "mismatch",
                "source_line": total["source_line"],
            }
        )
    return checks


def import_framework(
    text: str,
    *,
    version: str,
    commissioner: str,
    registry: list[dict],
    source_document: str,
    version_number: int | None = None,
) -> ImportResult:
    parsed = parse_framework(text, known_initiatives=[c["initiative_name"] for c in registry])
    assigned, new_contracts = assign_contracts(parsed.allocation_rows, registry, commissioner, version)
    lines = []
    counters: dict[str, int] = {}
    for row in parsed.allocation_rows:
        counters[row.table] = counters.get(row.table, 0) + 1
        lines.append(
            {
                "framework_version": version,
                "source_table": row.table,
                "line_number": counters[row.table],
                "source_line": row.first_line,
                "contract_id": assigned[id(row)],
                **row.cells,
                "extraction_note": "; ".join(row.notes),
            }
        )
    if version_number is None:
        match = re.search(r"v(\d+)$", version)
        version_number = int(match[1]) if match else 1
    parsed.version_number = version_number  # type: ignore[attr-defined]
    parsed.source_document = source_document  # type: ignore[attr-defined]
    return ImportResult(parsed, lines, new_contracts, reconcile(parsed))


def write_outputs(result: ImportResult, out_dir: Path, version: str, commissioner: str) -> list[Path]:
    parsed = result.parsed
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []

    def emit(table: str, rows: list[dict]) -> None:
        spec = RAW_TABLES_BY_NAME[table]  # the file's name and columns, from the manifest
        path = out_dir / Path(spec.pattern).name
        write_csv(path, spec.columns, [{"framework_version": version, **r} for r in rows])
        written.append(path)

    emit(
        "framework_versions",
        [
            {
                "commissioner_code": commissioner,
                "financial_year": parsed.financial_year,
                "version_number": parsed.version_number,  # type: ignore[attr-defined]
                "document_date": parsed.document_date,
                "source_document": parsed.source_document,  # type: ignore[attr-defined]
            }
        ],
    )
    emit("allocation_lines", result.lines)
    emit("published_totals", parsed.totals)
    emit("budget_lines", parsed.budget_lines)
    emit(ADAPTER["area_table"], [{"line_number": i, **r} for i, r in enumerate(parsed.plf_rows, start=1)])
    emit("printed_priorities", parsed.priorities)
    return written


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


@dataclass
class ImportRun:
    exit_code: int
    lines: list[str]
    out_dir: Path | None = None


def next_version(raw_framework: Path, commissioner: str, financial_year: str) -> str:
    numbers = []
    for path in raw_framework.glob("*/framework.csv"):
        for row in read_csv(path):
            if row["commissioner_code"] == commissioner and row["financial_year"] == financial_year:
                numbers.append(int(row["version_number"] or 0))
    return f"{financial_year} v{max(numbers, default=0) + 1}"


# What a document saved in another form than text starts with: the text must be extracted first.
NOT_TEXT = {b"%PDF": "a PDF document", b"PK\x03\x04": "a Word (or other Office) document", OLE2_MAGIC: "an old Office document"}


def _document_text(document: Path) -> str | ImportRun:
    """The document's text, or the run refused in one line: too large, or not text at all (a PDF given
    as it is would be parsed as text for minutes, and read as nothing)."""
    size = document.stat().st_size
    if size > MAX_FILE_BYTES:
        return ImportRun(2, [f"{document}: {size / 1e6:.1f} MB, over the {MAX_FILE_BYTES / 1e6:.0f} MB limit for one file; not read"])
    data = document.read_bytes()
    kind = next((what for magic, what in NOT_TEXT.items() if data.startswith(magic)), None)
    nul = data.find(b"\x00")
    if kind is None and nul >= 0:
        kind = f"a binary file (a NUL byte at byte {nul:,})"
    if kind is not None:
        return ImportRun(2, [
            f"{document}: {kind}, not the text extracted from the framework; extract it first "
            "(pdftotext -layout for a PDF; for a Word document, save it as Plain Text, UTF-8) and import that"
        ])
    return data.decode("utf-8", errors="replace")


def run_import(
    document: Path,
    raw: Path,
    *,
    version: str | None = None,
    commissioner: str,
    out: Path | None = None,
    registry: Path | None = None,
    allow_partial: bool = False,
    source_name: str | None = None,
) -> ImportRun:
    """What `opcc import-framework` does: parse, match, reconcile, report; write only if trustworthy."""
    if not re.fullmatch(r"[A-Z]{2,5}", commissioner):
        return ImportRun(2, [f"commissioner code '{commissioner}' is not 2 to 5 capital letters"])
    text = _document_text(document)
    if not isinstance(text, str):
        return text
    registry = registry or raw / "framework" / "contracts.csv"
    contracts = read_csv(registry)
    result = import_framework(
        text, version=version or "pending", commissioner=commissioner, registry=contracts,
        source_document=source_name or document.name,
    )
    parsed = result.parsed
    if not parsed.financial_year:
        return ImportRun(2, [f"{document}: no commissioning budget sentence naming the year; is this a commissioning framework?"])
    if version is None:
        version = next_version(raw / "framework", commissioner, parsed.financial_year)
        result = import_framework(text, version=version, commissioner=commissioner, registry=contracts, source_document=source_name or document.name)
        parsed = result.parsed
    out = out or raw / "framework" / f"{commissioner}-{_slug(version)}"
    existing = out / "framework.csv"
    if existing.exists() and any(r["framework_version"] != version for r in read_csv(existing)):
        return ImportRun(2, [f"{out} holds another framework version; choose --out or --version"])

    lines = [f"{document.name}: framework {version} ({commissioner}, {parsed.financial_year})"]
    tables: dict[str, int] = {}
    for row in parsed.allocation_rows:
        tables[row.table] = tables.get(row.table, 0) + 1
    for table, count in tables.items():
        lines.append(f"  {table:<11} {count:>3} rows")
    lines.append(f"  plf_table   {len(parsed.plf_rows):>3} rows")
    budget = ", ".join(f"{b['budget_line']} {b['value_printed']}" for b in parsed.budget_lines)
    lines.append(f"  budget      {budget}")
    lines.append(f"  priorities  {len(parsed.priorities)}")
    for check in result.reconciliation:
        mark = "ok" if check["status"] == "ok" else "MISMATCH"
        lines.append(
            f"  {mark:<8} {check['source_table']} '{check['label']}' printed £{check['printed']:,} rows add up to £{check['from_rows']:,}"
        )
    repaired = [row for row in parsed.allocation_rows if row.notes]
    for row in repaired:
        lines.append(f"  repaired line {row.first_line}: {'; '.join(row.notes)}")
    flags = parsed.flags
    for issue in flags:
        lines.append(f"  FLAGGED line {issue.line} ({issue.table}): {issue.message}")
    named = ", ".join(f"{c['contract_id']} {c['initiative_name']}" for c in result.new_contracts[:8])
    more = f" and {len(result.new_contracts) - 8} more" if len(result.new_contracts) > 8 else ""
    lines.append(f"  {len(result.new_contracts)} new contract(s){': ' + named + more if named else ''}")
    mismatched = [c for c in result.reconciliation if c["status"] != "ok"]
    if not parsed.allocation_rows:
        lines.append("  not written: no allocation line was read (no table of allocations found in the text), even partially")
        return ImportRun(1, lines)
    if (flags or mismatched) and not allow_partial:
        lines.append(f"  not written: {len(flags)} flagged, {len(mismatched)} total(s) not reproduced; fix the text or pass --allow-partial")
        return ImportRun(1, lines)
    written = write_outputs(result, out, version, commissioner)
    if result.new_contracts:
        write_registry(registry, contracts + result.new_contracts)
    lines.append(f"  wrote {len(written)} files to {out}" + (f" and {len(result.new_contracts)} contract(s) to {registry}" if result.new_contracts else ""))
    if flags or mismatched:
        lines.append(f"  partial: {len(parsed.flagged_rows)} flagged row(s) left out")
    return ImportRun(0, lines, out)

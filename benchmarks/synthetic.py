"""Synthetic national-scale data for the benchmark, made with the project's own sample generator.

Every police and crime commissioner gets a plan of its own (the bundled plan's
themes, priorities, mechanisms and indicators under the commissioner's plan
code), a framework per financial year (one version, Appendix B and one
Appendix C line, printed totals and budget that add up), contracts with two
primary priorities and a secondary one, annual targets, and a return per
contract per quarter in the real format. Values
come from opcc.ingest.samples (annual_targets, quarter_values), the same
code that made the bundled sample. Nothing here is a real figure.
"""

from __future__ import annotations

import csv
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from opcc.core.periods import Period, periods_between
from opcc.ingest.samples import PLAN_FOLDER, Contract, Scenario, annual_targets, load_indicators, quarter_values

FIRST_PERIOD = "2016-17 Q1"


@dataclass(frozen=True)
class Preset:
    name: str
    commissioners: int
    contracts: int
    quarters: int


PRESETS = {
    "quick": Preset("quick", 4, 30, 8),
    "national": Preset("national", 41, 60, 40),
}


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")


def _write(path: Path, header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def generate(raw: Path, preset: Preset, project_raw: Path, hold_back_last: bool = True) -> dict:
    """Write a raw folder for `preset` under `raw`; the last quarter goes to raw/../held_back/ if asked."""
    if raw.exists():
        shutil.rmtree(raw)
    shutil.copytree(project_raw / "reference", raw / "reference")
    shutil.copytree(project_raw / "plans", raw / "plans")
    indicators = load_indicators(raw)
    # Every synthetic plan is the bundled plan under another code: themes printed by their names there.
    with open(raw / "plans" / PLAN_FOLDER / "elements.csv", newline="", encoding="utf-8") as handle:
        elements = list(csv.DictReader(handle))
    theme_names = {e["code"]: e["name"] for e in elements if e["kind"] == "theme"}
    priority_theme = {e["code"]: e["parent_code"] for e in elements if e["kind"] == "priority"}
    priorities = [e["code"] for e in elements if e["kind"] == "priority" and e["in_plan"] == "true"]
    # Mechanisms printed by their short names; a partnership grant is printed in its own table, not here.
    mechanisms = [e["short_name"] for e in elements if e["kind"] == "mechanism" and e["national_code"] != "partnership_grant"]
    periods = [str(p) for p in periods_between(Period.parse(FIRST_PERIOD), _nth(FIRST_PERIOD, preset.quarters - 1))]
    years = sorted({p[:7] for p in periods})
    rng = random.Random(f"bench:{preset.name}")
    commissioner_rows, registry, target_rows = [], [], []
    returns_written = rows_written = 0
    contracts_by_year: dict[str, list[Contract]] = {}
    for c in range(1, preset.commissioners + 1):
        code = f"N{chr(65 + c // 26)}{chr(65 + c % 26)}"  # commissioner codes are letters: NAB, NAC, ...
        commissioner_rows.append([code, f"Synthetic Police and Crime Commissioner {c}", f"Force area {c}", "Synthetic"])
        plan = raw / "plans" / f"{code}-{years[0]}"
        shutil.copytree(raw / "plans" / PLAN_FOLDER, plan)
        _write(plan / "plan.csv", ["plan_code", "commissioner_code", "plan_name", "applies_from", "source_document"],
               [[f"{code}-{years[0]}", code, f"Synthetic plan {c}", years[0], "synthetic"]])
        contracts = []
        for n in range(1, preset.contracts + 1):
            # two or three primary priorities and a secondary: about 12 measures a return
            *firsts, secondary = rng.sample(priorities, 4 if rng.random() < 0.75 else 3)
            firsts.sort(key=priorities.index)
            primary = "/".join(firsts)  # several primaries in one cell, as the documents print them
            allocated = float(rng.randrange(5_000, 400_000, 1_000))  # whole thousands: printed £m figures then agree exactly
            contract = Contract(f"{code}-{n:03d}", f"Synthetic initiative {n}", f"Provider {rng.randrange(1, 200)} Ltd",
                                allocated, list(firsts), secondary)
            contract.indicators = [k for k, ind in indicators.items() if ind.priority in (*contract.primary, secondary)]
            theme = theme_names[priority_theme[firsts[0]]]
            mechanism = mechanisms[n % len(mechanisms)]
            registry.append([contract.contract_id, code, f"{years[0]} v1", theme, contract.initiative, "Synthetic service",
                             contract.provider, mechanism, primary, secondary, "Force area"])
            contracts.append((contract, theme, mechanism, primary, secondary))
        for year in years:
            version = f"{year} v1"  # every commissioner has its own versions
            folder = raw / "framework" / f"{code}-{year}-v1"
            lines, subtotals = [], {}
            for i, (contract, theme, mechanism, primary, secondary) in enumerate(contracts, start=1):
                table = "appendix_c" if i == len(contracts) else "appendix_b"
                row = [version, table, i if table == "appendix_b" else 1, i, contract.contract_id,
                       theme if table == "appendix_b" else "", f"{contract.initiative} – Synthetic service",
                       f"£{int(contract.allocated_gbp):,}", contract.provider if table == "appendix_b" else "",
                       mechanism if table == "appendix_b" else "", primary if table == "appendix_b" else "",
                       secondary if table == "appendix_b" else "", "Force area" if table == "appendix_b" else "", "", "", ""]
                lines.append(row)
                if table == "appendix_b":
                    subtotals[theme] = subtotals.get(theme, 0) + int(contract.allocated_gbp)
            committed = sum(subtotals.values())
            additional = int(contracts[-1][0].allocated_gbp)
            _write(folder / "framework.csv", ["framework_version", "commissioner_code", "financial_year", "version_number", "document_date", "source_document"],
                   [[version, code, year, 1, "", "synthetic"]])
            _write(folder / "allocation_lines.csv",
                   ["framework_version", "source_table", "line_number", "source_line", "contract_id", "theme_printed", "initiative_printed",
                    "value_printed", "provider_printed", "mechanism_printed", "primary_priority_printed", "secondary_priority_printed",
                    "reach_printed", "need_printed", "linkage_printed", "extraction_note"], lines)
            totals = [[version, "appendix_b", "theme_subtotal", f"{t} Subtotal", t, f"£{v:,}", 0] for t, v in subtotals.items()]
            totals.append([version, "appendix_b", "grand_total", "Grand Total", "", f"£{committed:,}", 0])
            totals.append([version, "appendix_c", "table_total", "Total", "", f"£{additional:,}", 0])
            _write(folder / "published_totals.csv",
                   ["framework_version", "source_table", "total_kind", "label_printed", "theme_printed", "value_printed", "source_line"], totals)
            committed_m, additional_m = round(committed / 1e6, 3), round(additional / 1e6, 3)
            budget_m = round(committed_m + additional_m + 0.25, 3)
            _write(folder / "budget_lines.csv", ["framework_version", "budget_line", "value_printed", "section", "source_line"], [
                [version, "commissioning_budget", f"£{budget_m:.3f}m", "3.2", 0],
                [version, "committed", f"£{committed_m:.3f}m", "3.4", 0],
                [version, "available", f"£{budget_m - committed_m:.3f}m", "3.5", 0],
                [version, "additional_allocations", f"£{additional_m:.3f}m", "3.5", 0],
                [version, "reserve", f"£{budget_m - committed_m - additional_m:.3f}m", "", 0],
            ])
            year_contracts = [entry[0] for entry in contracts]
            contracts_by_year.setdefault(year, []).extend(year_contracts)
            for contract in year_contracts:
                for indicator, target in annual_targets(contract, indicators).items():
                    target_rows.append([contract.contract_id, year, indicator, _fmt(target)])

    # The project's own framework and commissioners stay in, so the Leicestershire figures still reconcile.
    for folder in (project_raw / "framework").iterdir():
        if folder.is_dir():
            shutil.copytree(folder, raw / "framework" / folder.name)
    with open(project_raw / "framework" / "contracts.csv", newline="", encoding="utf-8") as handle:
        own = list(csv.reader(handle))
    _write(raw / "framework" / "contracts.csv", own[0], own[1:] + registry)
    with open(project_raw / "reference" / "commissioners.csv", newline="", encoding="utf-8") as handle:
        own = list(csv.reader(handle))
    _write(raw / "reference" / "commissioners.csv", own[0], own[1:] + commissioner_rows)
    with open(project_raw / "reference" / "targets.csv", newline="", encoding="utf-8") as handle:
        own = list(csv.reader(handle))
    _write(raw / "reference" / "targets.csv", own[0], own[1:] + target_rows)

    scenario = Scenario(missing=("", ""), late=("", ""), resubmitted=("", ""), overspend=("", ""), underperforming=(),
                        mistyped_value=("", ""), workbook_returns=(), unlogged_workbook=("", ""))
    log = []
    targets_by_contract: dict[str, dict[str, float]] = {}
    for contracts in contracts_by_year.values():
        for contract in contracts:
            targets_by_contract[contract.contract_id] = annual_targets(contract, indicators)
    for period_text in periods:
        period = Period.parse(period_text)
        folder = raw / "returns" / period_text
        folder.mkdir(parents=True, exist_ok=True)
        for contract in contracts_by_year[period.financial_year]:
            values = quarter_values(contract, period, targets_by_contract[contract.contract_id], indicators, scenario)
            body = "contract_id,period,measure,value,comment\n" + "".join(
                f"{contract.contract_id},{period_text},{measure},{_fmt(value)},{_comment(rng)}\n" for measure, value in values.items()
            )
            (folder / f"{contract.contract_id}.csv").write_text(body, encoding="utf-8")
            log.append([period_text, f"{contract.contract_id}.csv", f"{period.last_day.isoformat()} 12:00", ""])
            returns_written += 1
            rows_written += len(values)
    _write(raw / "returns" / "submission_log.csv", ["period", "file", "received_at", "note"], log)
    held = None
    if hold_back_last:
        held = raw.parent / "held_back" / periods[-1]
        if held.exists():
            shutil.rmtree(held)
        held.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(raw / "returns" / periods[-1]), str(held))
    return {
        "commissioners": preset.commissioners,
        "contracts": preset.commissioners * preset.contracts,
        "quarters": preset.quarters,
        "return_files": returns_written,
        "return_rows": rows_written,
        "last_period": periods[-1],
        "held_back": str(held) if held else None,
    }


# Providers explain some figures; the text goes through the same personal-data screening as real returns.
COMMENTS = (
    "includes referrals carried over from the previous quarter",
    "two sessions cancelled because the venue was unavailable",
    "figure checked against the case management system",
    "lower than profile while a vacant post was filled",
    "higher demand after the local awareness campaign",
    "partial count: one partner reported late and will be added next quarter",
)


def _comment(rng: random.Random) -> str:
    return rng.choice(COMMENTS) if rng.random() < 0.2 else ""


def _nth(first: str, steps: int) -> Period:
    period = Period.parse(first)
    for _ in range(steps):
        period = period.next()
    return period

"""Illustrative provider returns and targets for the 2016/17 framework: SAMPLE DATA, not published figures.

Real provider returns are not public. This deterministic generator writes
returns in exactly the format real ones must use, so the warehouse can be
built, tested and demonstrated end to end:

  raw/reference/targets.csv        annual targets per contract and indicator
  raw/returns/<period>/*.csv|xlsx  one return per contract and quarter
  raw/returns/submission_log.csv   when each file was received

Spend is near a quarter of each contract's allocation, indicator values are
plausible for the service (driven by an assumed cost per unit), and the
things that happen in real life are in it: a return missing for a quarter,
one sent late, one corrected by a resubmission, an overspend, a value
mistyped, a workbook return each quarter. Every number is made up.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path

from opcc.core.periods import Period
from opcc.core.settings import csv_module, setting
from opcc.ingest.return_template import TemplateHeader, template_lines_for, write_template
from opcc.ingest.returns import SAMPLE_FILES, SAMPLE_MARKER

csv = csv_module()

SEED = "opcc-2016-17-sample"
SAMPLE_NOTE = """# Illustrative sample returns

The returns in this folder were made by `opcc samples` (opcc/ingest/samples.py), a
deterministic generator. They are not published figures: real provider returns are not
public. They follow the real return format exactly, so real returns can replace them.

sample_files.csv lists every file the generator wrote with its content's SHA-256. A
commissioner's review pack says its figures are illustrative only while a return in force
for it is one of those files, unchanged: a real return put in its place, or another
commissioner's returns beside them, are not labelled.
"""
FINANCIAL_YEAR = "2016-17"
FRAMEWORK_FOLDER = "LEI-2016-17-v2"  # the latest 2016/17 version: every contract funded that year
PLAN_FOLDER = "LEI-2013-17"  # the plan in force in 2016/17

# What the generator assumes of each indicator of the bundled plan (sample_assumptions.csv beside this
# module: data, not in raw/, where every file is loaded as evidence): unit_cost_gbp, pounds per unit, turns money into plausible volumes; a percent
# indicator carries a target_rate instead; a lower-is-better count a yearly level per £100k
# (lower_count_per_100k); money levered a match_funding_ratio of the contract's.
ASSUMPTIONS = ("unit_cost_gbp", "target_rate", "lower_count_per_100k", "match_funding_ratio")


def sample_assumptions() -> dict[str, dict[str, float]]:
    """{assumption: {indicator_code: value}} from sample_assumptions.csv."""
    found: dict[str, dict[str, float]] = {name: {} for name in ASSUMPTIONS}
    with open(Path(__file__).with_name("sample_assumptions.csv"), newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            found[row["assumption"].strip()][row["indicator_code"].strip().upper()] = float(row["value"])
    return found


COMMENTS = (
    "Two posts vacant for part of the quarter.",
    "Referrals higher than expected after the schools campaign.",
    "Includes a one-off purchase of equipment.",
    "Delivery paused for two weeks over the holidays.",
    "New referral pathway with the police started this quarter.",
)


@dataclass
class Indicator:
    code: str
    name: str
    unit: str
    kind: str
    priority: str
    better: str
    bounded_by: str
    headline: bool


@dataclass
class Contract:
    contract_id: str
    initiative: str
    provider: str
    allocated_gbp: float
    primary: list[str]
    secondary: str | None
    indicators: list[str] = field(default_factory=list)


@dataclass
class Scenario:
    """The real-life events in the sample, by contract and period."""

    missing: tuple[str, str] = ("LEI-027", "2016-17 Q3")  # Street Sport sends nothing for Q3
    late: tuple[str, str] = ("LEI-005", "2016-17 Q2")  # Youth Mentoring's Q2 return arrives a month late
    resubmitted: tuple[str, str] = ("LEI-022", "2016-17 Q2")  # Victim First mistypes spend, then corrects it
    overspend: tuple[str, str] = ("LEI-024", "2016-17 Q4")  # Target Hardening spends heavily in Q4
    underperforming: tuple[str, ...] = ("LEI-013", "LEI-041")  # well under target all year
    mistyped_value: tuple[str, str] = ("LEI-015", "2016-17 Q1")  # a letter O keyed for a zero
    workbook_returns: tuple[str, ...] = ("LEI-032", "LEI-053")  # these providers use the XLSX template
    unlogged_workbook: tuple[str, str] = ("LEI-053", "2016-17 Q3")  # not in the log: its 'Submitted on' cell counts


def parse_priorities(primary: str, secondary: str) -> tuple[list[str], str | None]:
    primary = (primary or "").strip()
    if primary and not re.search(r"\d", primary):
        return [primary.upper()], None  # a priority named by a word of its own, not a number
    codes = [f"SP{int(n)}" for n in re.findall(r"\d+", primary)]
    match = re.fullmatch(r"\s*SP(\d+)\s*", secondary or "", re.IGNORECASE)
    second = f"SP{int(match[1])}" if match and 1 <= int(match[1]) <= 17 else None
    return codes, (second if second not in codes else None)


def load_indicators(raw: Path, plan_folder: str = PLAN_FOLDER) -> dict[str, Indicator]:
    """The indicators the plan measures its priorities by, in the plan's order (rows of kind indicator of
    its elements.csv; a plan still listing catalogue indicators in indicators.csv is read the same)."""
    with open(raw / "plans" / plan_folder / "elements.csv", newline="", encoding="utf-8") as handle:
        found = {
            r["code"].strip().upper(): Indicator(
                r["code"].strip().upper(), r["name"], r.get("unit") or "count", r.get("indicator_kind") or "output",
                r["parent_code"].split("/")[0].strip(), r.get("better") or "higher", (r.get("bounded_by") or "").upper(),
                (r.get("is_headline") or "").strip().lower() == "true",
            )
            for r in csv.DictReader(handle)
            if (r.get("kind") or "").strip().lower() == "indicator"
        }
    legacy = raw / "plans" / plan_folder / "indicators.csv"
    if legacy.exists():
        with open(legacy, newline="", encoding="utf-8") as handle:
            measures = {r["indicator_code"]: r for r in csv.DictReader(handle)}
        with open(raw / "reference" / "indicators.csv", newline="", encoding="utf-8") as handle:
            found.update({
                r["indicator_code"]: Indicator(
                    r["indicator_code"], r["indicator_name"], r["unit"], r["kind"],
                    measures[r["indicator_code"]]["strategic_priority"], r["better"], r["bounded_by"],
                    measures[r["indicator_code"]]["is_headline"] == "true",
                )
                for r in csv.DictReader(handle)
                if r["indicator_code"] in measures
            })
    return found


def load_contracts(raw: Path, indicators: dict[str, Indicator]) -> list[Contract]:
    """Contracts funded by the latest 2016/17 framework version, with the indicators they report.

    Which indicators a contract reports follows from its priorities: every
    indicator of each primary priority, and the headline indicator of its
    secondary priority.
    """
    with open(raw / "framework" / "contracts.csv", newline="", encoding="utf-8") as handle:
        registry = {r["contract_id"]: r for r in csv.DictReader(handle)}
    with open(raw / "framework" / FRAMEWORK_FOLDER / "allocation_lines.csv", newline="", encoding="utf-8") as handle:
        lines = [r for r in csv.DictReader(handle) if r["source_table"] in ("appendix_b", "appendix_c")]
    contracts = []
    for line in lines:
        entry = registry[line["contract_id"]]
        primary, secondary = parse_priorities(entry["primary_priority"], entry["secondary_priority"])
        reported = [code for code, ind in indicators.items() if ind.priority in primary]
        if secondary:
            reported += [code for code, ind in indicators.items() if ind.priority == secondary and ind.headline]
        allocated = float(line["value_printed"].replace("£", "").replace(",", ""))
        contracts.append(
            Contract(line["contract_id"], entry["initiative_name"], entry["provider"], allocated, primary, secondary, reported)
        )
    return sorted(contracts, key=lambda c: c.contract_id)


def annual_targets(
    contract: Contract, indicators: dict[str, Indicator], assumed: dict[str, dict[str, float]] | None = None
) -> dict[str, float]:
    assumed = assumed or sample_assumptions()
    targets = {}
    for code in contract.indicators:
        indicator = indicators[code]
        if indicator.priority in contract.primary:
            money = contract.allocated_gbp * (setting("primary_priority_share") if contract.secondary else 1.0) / len(contract.primary)
        else:
            money = contract.allocated_gbp * setting("secondary_priority_share")
        if code in assumed["target_rate"]:
            targets[code] = assumed["target_rate"][code]
        elif code in assumed["lower_count_per_100k"]:
            targets[code] = max(4, round(money / 100_000 * assumed["lower_count_per_100k"][code]))
        elif code in assumed["match_funding_ratio"]:
            targets[code] = round(money * assumed["match_funding_ratio"][code], -2)
        else:
            targets[code] = max(4, round(money / assumed["unit_cost_gbp"][code]))
    # An outcome can be no larger than the activity that bounds it.
    for code in contract.indicators:
        bound = indicators[code].bounded_by
        if bound in targets and indicators[code].unit == "count":
            targets[code] = min(targets[code], targets[bound])
    return targets


def quarter_values(
    contract: Contract, period: Period, targets: dict[str, float], indicators: dict[str, Indicator], scenario: Scenario
) -> dict[str, float]:
    rng = random.Random(f"{SEED}:{contract.contract_id}:{period}")
    performance = random.Random(f"{SEED}:{contract.contract_id}").gauss(1.02, 0.08)
    if contract.contract_id in scenario.underperforming:
        performance = 0.62
    spend_share = 0.25 * min(1.08, max(0.85, rng.gauss(0.98, 0.035)))  # providers tend to spend a little under profile
    if (contract.contract_id, str(period)) == scenario.overspend:
        spend_share = 0.62
    values: dict[str, float] = {"spend_gbp": round(contract.allocated_gbp * spend_share, 2)}
    for code in contract.indicators:  # catalogue order puts every bound before what it bounds
        indicator = indicators[code]
        target = targets[code]
        if indicator.unit == "percent":
            drift = rng.gauss(0, 3.0) + (4.0 if indicator.better == "lower" else -4.0) * (1 - performance) * 2
            values[code] = round(min(100.0, max(0.0, target + drift)), 1)
        elif indicator.unit == "gbp":
            values[code] = round(target / 4 * performance * rng.gauss(1.0, 0.1), 2)
        else:
            factor = performance if indicator.better == "higher" else 2 - performance
            value = max(0, round(target / 4 * factor * rng.gauss(1.0, 0.1)))
            if indicator.bounded_by in values:
                value = min(value, int(values[indicator.bounded_by]))
            values[code] = value
    return values


def received_at(contract_id: str, period: Period, scenario: Scenario) -> datetime:
    rng = random.Random(f"{SEED}:received:{contract_id}:{period}")
    day = period.last_day + timedelta(days=rng.randint(3, 19))
    if (contract_id, str(period)) == scenario.late:
        day = period.due + timedelta(days=29)
    return datetime.combine(day, time(9 + rng.randint(0, 7), rng.randint(0, 59)))


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")


def write_csv_return(path: Path, contract_id: str, period: str, values: dict[str, float], comments: dict[str, str],
                     overrides: dict[str, str] | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["contract_id", "period", "measure", "value", "comment"])
        for measure, value in values.items():
            text = (overrides or {}).get(measure, _fmt(value))
            writer.writerow([contract_id, period, measure, text, comments.get(measure, "")])


def generate(raw: Path, periods: list[str] | None = None, scenario: Scenario | None = None) -> dict[str, int]:
    """(Re)write targets, returns and the submission log under `raw`. Returns counts of what was written."""
    scenario = scenario or Scenario()
    periods = periods or [f"{FINANCIAL_YEAR} Q{q}" for q in range(1, 5)]
    indicators = load_indicators(raw)
    contracts = load_contracts(raw, indicators)
    assumed = sample_assumptions()
    targets = {c.contract_id: annual_targets(c, indicators, assumed) for c in contracts}

    target_path = raw / "reference" / "targets.csv"
    with target_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["contract_id", "financial_year", "indicator_code", "annual_target"])
        for contract in contracts:
            for code in contract.indicators:
                writer.writerow([contract.contract_id, FINANCIAL_YEAR, code, _fmt(targets[contract.contract_id][code])])

    log_rows: list[list[str]] = []
    counts = {"csv": 0, "xlsx": 0, "targets": sum(len(c.indicators) for c in contracts)}
    for period_text in periods:
        period = Period.parse(period_text)
        folder = raw / "returns" / period_text
        for stale in folder.glob("*") if folder.exists() else []:
            stale.unlink()
        for contract in contracts:
            key = (contract.contract_id, period_text)
            if key == scenario.missing:
                continue
            values = quarter_values(contract, period, targets[contract.contract_id], indicators, scenario)
            rng = random.Random(f"{SEED}:comment:{contract.contract_id}:{period}")
            comments = {"spend_gbp": rng.choice(COMMENTS)} if rng.random() < 0.15 else {}
            when = received_at(contract.contract_id, period, scenario)
            if contract.contract_id in scenario.workbook_returns:
                name = f"{contract.contract_id}.xlsx"
                header = TemplateHeader(contract.contract_id, contract.initiative, contract.provider, period_text, period.months, period.due)
                lines = template_lines_for([(c, indicators[c].name, indicators[c].unit) for c in contract.indicators])
                write_template(folder / name, header, lines, values, comments, submitted_on=when.date())
                counts["xlsx"] += 1
                if key != scenario.unlogged_workbook:
                    log_rows.append([period_text, name, when.isoformat(sep=" ", timespec="minutes"), ""])
                continue
            name = f"{contract.contract_id}.csv"
            overrides = {}
            if key == scenario.mistyped_value:
                first_indicator = contract.indicators[0]
                overrides[first_indicator] = _fmt(values[first_indicator]).replace("0", "O", 1) if "0" in _fmt(values[first_indicator]) else _fmt(values[first_indicator]) + "O"
            if key == scenario.resubmitted:
                wrong = dict(values, spend_gbp=values["spend_gbp"] * 10)
                write_csv_return(folder / name, contract.contract_id, period_text, wrong, comments)
                log_rows.append([period_text, name, when.isoformat(sep=" ", timespec="minutes"), ""])
                corrected = f"{contract.contract_id} corrected.csv"
                fix = {"spend_gbp": "Corrected return: the first one had spend keyed with an extra digit."}
                write_csv_return(folder / corrected, contract.contract_id, period_text, values, fix)
                log_rows.append(
                    [period_text, corrected, (when + timedelta(days=13)).isoformat(sep=" ", timespec="minutes"), "resubmission"]
                )
                counts["csv"] += 2
                continue
            write_csv_return(folder / name, contract.contract_id, period_text, values, comments, overrides)
            note = "received late" if key == scenario.late else ""
            log_rows.append([period_text, name, when.isoformat(sep=" ", timespec="minutes"), note])
            counts["csv"] += 1

    (raw / "returns" / SAMPLE_MARKER).write_text(SAMPLE_NOTE, encoding="utf-8")
    with (raw / "returns" / SAMPLE_FILES).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["period", "file", "sha256"])
        for period_text in periods:
            for path in sorted((raw / "returns" / period_text).glob("*")):
                writer.writerow([period_text, path.name, hashlib.sha256(path.read_bytes()).hexdigest()])
    log_path = raw / "returns" / "submission_log.csv"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["period", "file", "received_at", "note"])
        writer.writerows(sorted(log_rows, key=lambda r: (r[0], r[2], r[1])))
    counts["log"] = len(log_rows)
    return counts


"""The lines of an allocation register and its targets file, each checked before anything is
written: every problem one line naming the file, row and column (for `opcc import-allocations`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from opcc.core import sql_macros
from opcc.core.settings import setting
from opcc.framework_import.importer import read_csv
from opcc.framework_import.plans import Plan
from opcc.framework_import.register_file import BLANK, ImportRefused, Table, read_table
from opcc.ingest.numbers import read_printed_amounts
from opcc.ingest.raw_tables import RAW_TABLES_BY_NAME

# targets.csv as the register import writes it: by contract_id, then the manifest's columns (raw_files.yml).
TARGET_COLUMNS = ("contract_id", *RAW_TABLES_BY_NAME["targets"].columns)


def read_targets(path: Path, lines: list[dict], ids: list[str], plan: Plan, year: str, raw: Path) -> list[dict]:
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


def read_lines(table: Table, plan: Plan) -> tuple[list[dict], list[str]]:
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


def assign_ids(
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

"""A commissioner's Police and Crime Plan as `opcc import-allocations` reads it: the plan file
given (kind,code,name,parent_code,national_code, with rows of kind indicator), checked against the
national lists, or the plan already in force in raw/plans/ for the version's year."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from opcc.core import sql_macros
from opcc.framework_import.importer import read_csv
from opcc.framework_import.register_file import ImportRefused, read_table
from opcc.ingest.raw_tables import RAW_TABLES_BY_NAME

# The plan files written, with the columns of the one manifest of raw file schemas (raw_files.yml).
PLAN_COLUMNS = RAW_TABLES_BY_NAME["plan_elements"].columns


PLAN_OPTIONAL = RAW_TABLES_BY_NAME["plan_elements"].optional_columns


PLAN_KINDS = ("theme", "priority", "mechanism", "indicator")


# An indicator row of a plan: its allowed values, the first being the default of a blank cell.
INDICATOR_CHOICES = {
    "unit": ("count", "percent", "gbp"),
    "indicator_kind": ("output", "activity", "outcome"),
    "better": ("higher", "lower"),
}


PLAN_FILE_COLUMNS = RAW_TABLES_BY_NAME["plans"].columns


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
        if kind in ("theme", "mechanism") and element["parent_code"]:
            # nothing reads it: a theme 'under' another (or two themes under each other) was kept silently
            problems.append(
                f"{where}, column parent_code: '{element['parent_code']}', but a {kind} has no parent "
                "(a priority's parent_code is its theme, an indicator's the priorities it measures); leave it blank"
            )
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


def choose_plan(raw: Path, commissioner: str, year: str, plan_file: Path | None) -> Plan:
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

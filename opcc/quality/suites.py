"""The Great Expectations suites, read as plain data: what each guards, reads and requires.

The rules are GE suites under expectations/gx/expectations/, one JSON file each.
A suite's `meta` says which asset it guards (`guards`), which rows it looks at
(`data`, a SQL query on the warehouse, which may use the parsing macros as
`{{ conform_key(...) }}`), which columns name a failing row
(`identify_rows_by`) and what a blocking failure does (`on_failure`):

  block       (default) the refresh stops: nothing downstream is built and the
              warehouse is not published;
  hold_back   the framework versions named by the failing rows (their
              commissioner_code and framework_version) are held back from the
              marts, the commissioner's previous version stays current, and the
              rest of the warehouse publishes.

Each expectation's `meta.rule` says the rule in words and its `severity` how
much it matters: `critical` is blocking (as above), `warning` is reported
and never stops anything. Allowed sets and thresholds are not written into
the suites: an expectation names them as `{"$PARAMETER": "name"}` and the
runner supplies every setting of dbt_project.yml, and whatever the suite's
`meta.parameters` queries read from reference data, at run time. A rule's
words may name a setting as `{return_due_days}` (or `{overspend_warning_ratio:%}` for a ratio as a
percentage). A rule may also say what its failure means, as a finding:
`meta.finding` = {"one": ..., "many": "{n} ...", "show": column, "show_as": percent|gbp|number|text,
"unit": words after the value}
makes "1 contract spent more than 110% of its allocation to date: LEI-024 2016-17 Q4, 137%".

Reading the suites needs no Great Expectations import: this is what the
Dagster definitions use when they load.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from opcc.core.settings import EXPECTATIONS_DIR, all_settings

GX_ROOT = EXPECTATIONS_DIR / "gx"
SUITES_DIR = GX_ROOT / "expectations"
BLOCKING = "critical"
HOLD_BACK = "hold_back"
HOLD_BACK_KEYS = ("commissioner_code", "framework_version")


@dataclass(frozen=True)
class Rule:
    rule: str
    expectation: str
    column: str
    severity: str
    # What a failure means, said as a finding: for one row and for {n} rows, and the column whose value
    # each example shows (`show`), formatted as `show_as` (percent, gbp, number or text).
    finding_one: str = ""
    finding_many: str = ""
    show: str = ""
    show_as: str = "text"
    unit: str = ""  # after the shown value: 'days late'

    @property
    def blocking(self) -> bool:
        return self.severity == BLOCKING


@dataclass(frozen=True)
class Suite:
    name: str
    guards: tuple[str, ...]
    layer: str
    data: str
    rules: tuple[Rule, ...]
    identify_rows_by: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()  # every column a rule or a failing sample reads
    on_failure: str = "block"
    parameters: dict[str, str] = field(default_factory=dict)  # name -> SQL giving the allowed values

    @property
    def has_warnings(self) -> bool:
        return any(not r.blocking for r in self.rules)

    @property
    def has_blocking(self) -> bool:
        return any(r.blocking for r in self.rules)

    @property
    def holds_back(self) -> bool:
        return self.on_failure == HOLD_BACK

    @property
    def asset_path(self) -> str:
        return "/".join(self.guards)


_SETTING = re.compile(r"\{([a-z_]+)(:%)?\}")


def with_settings(text: str) -> str:
    """A rule's words with any {setting} replaced by its value from dbt_project.yml ({setting:%} as a
    percentage)."""
    values = all_settings()

    def value(match: re.Match) -> str:
        if match.group(1) not in values:
            return match.group(0)
        if match.group(2):
            return f"{_plain_number(round(float(values[match.group(1)]) * 100, 1))}%"
        return _plain_number(values[match.group(1)])

    return _SETTING.sub(value, text)


def _plain_number(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _columns_of(kwargs: dict) -> list[str]:
    return [v for k, v in kwargs.items() if (k == "column" or k.startswith("column_")) and isinstance(v, str)]


SHOWN_AS = ("percent", "gbp", "number", "text")


def _rule(expectation: dict) -> Rule:
    meta = expectation.get("meta", {})
    finding = meta.get("finding", {})
    if finding and (not finding.get("many") or finding.get("show_as", "text") not in SHOWN_AS):
        raise ValueError(f"rule {meta.get('rule')!r}: a finding needs 'many' (with {{n}}) and show_as one of {SHOWN_AS}")
    return Rule(
        rule=with_settings(meta.get("rule") or expectation["type"]),
        expectation=expectation["type"],
        column=", ".join(_columns_of(expectation["kwargs"])),
        severity=expectation.get("severity", BLOCKING),
        finding_one=with_settings(finding.get("one", "")),
        finding_many=with_settings(finding.get("many", "")),
        show=finding.get("show", ""),
        show_as=finding.get("show_as", "text"),
        unit=finding.get("unit", ""),
    )


def load_suites(directory: Path = SUITES_DIR) -> list[Suite]:
    suites = []
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        meta = data.get("meta", {})
        rules = tuple(_rule(e) for e in data["expectations"])
        identify = tuple(meta.get("identify_rows_by", ()))
        checked = [c for e in data["expectations"] for c in _columns_of(e["kwargs"])]
        checked += [r.show for r in rules if r.show]
        on_failure = meta.get("on_failure", "block")
        if on_failure == HOLD_BACK and not set(HOLD_BACK_KEYS) <= set(identify):
            raise ValueError(f"suite {data['name']} holds back versions: identify_rows_by must include {HOLD_BACK_KEYS}")
        suites.append(
            Suite(
                name=data["name"],
                guards=tuple(meta["guards"].split("/")),
                layer=meta.get("layer", ""),
                data=meta["data"],
                rules=rules,
                identify_rows_by=identify,
                columns=tuple(dict.fromkeys([*identify, *checked])),
                on_failure=on_failure,
                parameters=dict(meta.get("parameters", {})),
            )
        )
    return suites


def rule_text(suite: Suite, expectation_config) -> str:
    """The words of the rule a GE result is for (as loaded, settings filled in)."""
    return with_settings((expectation_config.meta or {}).get("rule") or expectation_config.type)

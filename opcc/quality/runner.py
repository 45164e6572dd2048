"""Run a suite: read its rows from DuckDB, validate them with Great Expectations, keep the results.

GE (1.x) validates a pandas DataFrame through the suite's committed validation
definition, with every $PARAMETER supplied: the settings of dbt_project.yml
and the suite's own reference-data queries. Results are stored beside the
warehouse (see docs.py); audit.quality_results keeps every rule's outcome for
the refresh summary, `opcc check` and the review pack, which all count with
`summarise`.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

import opcc.quality.by_year as by_year
import opcc.quality.failing_rows as failing_rows
from opcc.core.settings import EXPECTATIONS_DIR, all_settings
from opcc.core.sql_macros import render
from opcc.quality.counts import Counts, _count, classify
from opcc.quality.docs import results_folders
from opcc.quality.suites import HOLD_BACK_KEYS, Rule, Suite, rule_text

MAX_SAMPLE = 10


@dataclass
class RuleOutcome:
    rule: Rule
    passed: bool
    rows_checked: int
    rows_failing: int
    failing_sample: list = field(default_factory=list)
    # identify_rows_by (and shown columns) of every failing row, in order: a list, or FailingRows (read when read)
    failing_keys: Sequence[dict] = field(default_factory=list)
    keys: tuple[str, ...] = ()  # the suite's identify_rows_by

    def describe(self) -> str:
        if self.passed:
            return f"✓ {self.rule.rule}"
        if self.rule.finding_many:
            return f"✗ {self.finding()}"
        sample = ", ".join(_short(v) for v in self.failing_sample[:5])
        return f"✗ {self.rule.rule}: {self.rows_failing} of {self.rows_checked} rows" + (f" (e.g. {sample})" if sample else "")

    def finding(self, examples: int = 5) -> str:
        """What the failure means in the rule's own words: '1 contract spent more than 110% of its
        allocation to date: LEI-024 2016-17 Q4, 137%'."""
        rule, n = self.rule, self.rows_failing
        said = (rule.finding_one if n == 1 and rule.finding_one else rule.finding_many).replace("{n}", f"{n:,}")
        shown = []
        for row in self.failing_keys[:examples]:
            which = " ".join(_plain(row[k]) for k in self.keys if k in row)
            value = " ".join(filter(None, (_shown(row.get(rule.show), rule.show_as), rule.unit))) if rule.show else ""
            shown.append(", ".join(part for part in (which, value) if part))
        if not shown:
            shown = [_short(v) for v in self.failing_sample[:examples]]
        more = n - len(shown)
        listed = "; ".join(shown) + (f" and {more:,} more" if shown and more > 0 else "")
        return f"{said}: {listed}" if listed else said


@dataclass
class SuiteOutcome:
    suite: Suite
    outcomes: list[RuleOutcome]
    # A suite checked by financial year (by_year.py): each rule's result per year, and the years checked (None: all).
    by_year: list[dict] | None = None
    years: list[str] | None = None

    def failed(self, blocking: bool) -> list[RuleOutcome]:
        return [o for o in self.outcomes if not o.passed and o.rule.blocking == blocking]


@dataclass(frozen=True)
class HeldBack:
    commissioner_code: str
    framework_version: str
    suite: str
    rule: str
    detail: str


DETAIL = 2000  # characters of a held-back version's detail


def held_back(outcome: SuiteOutcome) -> list[HeldBack]:
    """The framework versions a hold-back suite's failed blocking rules name, with what each failed
    (its failing rows' values, each once, in order: the first DETAIL characters of them)."""
    if not outcome.suite.holds_back:
        return []
    found: dict[tuple, dict[str, None]] = {}
    length: dict[tuple, int] = {}
    for result in outcome.failed(blocking=True):
        for keys in result.failing_keys:
            version = (str(keys["commissioner_code"]), str(keys["framework_version"]), result.rule.rule)
            details = found.setdefault(version, {})
            if length.get(version, 0) >= DETAIL:
                continue  # the detail is written: a million failing rows cost no more text
            detail = _identify(keys, HOLD_BACK_KEYS, skip_keys=True)
            if detail and detail not in details:
                details[detail] = None
                length[version] = length.get(version, -2) + 2 + len(detail)
    return [
        HeldBack(code, version, outcome.suite.name, rule, "; ".join(details)[:DETAIL] or "")
        for (code, version, rule), details in found.items()
    ]


def summarise(outcomes: list[SuiteOutcome]) -> Counts:
    counts = Counts()
    for outcome in outcomes:
        for result in outcome.outcomes:
            _count(counts, classify(result.passed, result.rule.blocking, outcome.suite.holds_back))
    return counts


RECORDED_SEVERITY = {"warning": (False, False), "blocking": (True, False), "hold back": (True, True)}


def summarise_recorded(con: duckdb.DuckDBPyConnection) -> Counts:
    """The same count over the rules a warehouse recorded in audit.quality_results (see record())."""
    counts = Counts()
    for passed, severity in con.execute("select passed, severity from audit.quality_results").fetchall():
        blocking, holds_back = RECORDED_SEVERITY.get(severity, (True, False))
        _count(counts, classify(bool(passed), blocking, holds_back))
    return counts


def _plain(value) -> str:
    """numpy scalars and the like as plain text."""
    return str(value.item() if hasattr(value, "item") else value)


def _identify(row: dict, keys: tuple[str, ...], skip_keys: bool = False) -> str:
    """'LEI / 2016-17 v1 / appendix_b: value_printed=£1114': which row, then what it holds."""
    where = " / ".join(_plain(row[k]) for k in keys if k in row)
    what = ", ".join(f"{k}={_plain(v)}" for k, v in row.items() if k not in keys)
    if skip_keys:
        return what
    return f"{where}: {what}" if what else where


def _shown(value, how: str) -> str:
    if value is None or value != value:  # missing, or NaN from pandas
        return "not given"
    value = value.item() if hasattr(value, "item") else value
    if how == "percent":
        return f"{round(float(value) * 100):,}%"
    if how == "gbp":
        return f"£{float(value):,.2f}"
    if how == "number":
        return f"{float(value):,.0f}" if float(value).is_integer() else f"{float(value):,.2f}"
    return str(value)


def _short(value) -> str:
    text = str(value)
    return text if len(text) <= 160 else text[:157] + "..."


_contexts: dict[tuple[str, str], object] = {}
_validated: dict[Path, set[str]] = {}  # per warehouse, the run names validated since its Data Docs were built
_prefetch: threading.Thread | None = None


def prefetch() -> None:
    """Import Great Expectations in the background (it takes seconds) while the first assets load."""
    global _prefetch
    if _prefetch is None and "great_expectations" not in sys.modules:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
        _prefetch = threading.Thread(target=lambda: __import__("great_expectations"), name="gx-import", daemon=True)
        _prefetch.start()


def gx_context(live: Path):
    """The GE file context, with its results and Data Docs pointed beside this warehouse."""
    folders = results_folders(live)
    key = tuple(folders.values())
    if key not in _contexts:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
        if _prefetch is not None:
            _prefetch.join()
        import great_expectations as gx

        _contexts[key] = gx.get_context(mode="file", project_root_dir=str(EXPECTATIONS_DIR), runtime_environment=folders)
    return _contexts[key]


def was_validated(live: Path) -> set[str]:
    """The run names validated against this warehouse since the last call (empty if none)."""
    return _validated.pop(live, set())


def run_identifier(run_name: str | None):
    from great_expectations.core.run_identifier import RunIdentifier

    return RunIdentifier(run_name=run_name, run_time=datetime.now(UTC)) if run_name else None


_SCOPE = re.compile(r"\{refresh_years:([^}]+)\}")


def scoped(sql: str, years: list[str] | None) -> str:
    """A suite's query limited to the financial years a partial refresh touched.

    `{refresh_years:EXPR}` in a suite's `data` becomes `EXPR in ('2025-26', ...)` in a partial
    refresh, and `true` in a full one, so big tables are checked where they changed.
    """
    if not years:
        return _SCOPE.sub("true", sql)
    listed = ", ".join("'" + y.replace("'", "''") + "'" for y in years)
    return _SCOPE.sub(lambda m: f"({m.group(1)}) in ({listed})", sql)


def suite_sql(suite: Suite, years: list[str] | None = None) -> str:
    """The suite's query, with only the columns its rules and samples read: at national scale a whole
    table in pandas costs gigabytes."""
    sql = render(scoped(suite.data, years))
    if suite.columns:
        quoted = ['"' + c.replace('"', '""') + '"' for c in suite.columns]
        sql = f"select {', '.join(quoted)} from ({sql})"
    return sql


def suite_frame(con: duckdb.DuckDBPyConnection, suite: Suite, years: list[str] | None = None):
    return con.sql(suite_sql(suite, years)).df()


def parameters(con: duckdb.DuckDBPyConnection, suite: Suite) -> dict:
    """Every $PARAMETER a suite may use: the settings, and its reference-data queries' values."""
    values = all_settings()
    for name, sql in suite.parameters.items():
        values[name] = [row[0] for row in con.execute(render(sql)).fetchall()]
    return values


def result_format(suite: Suite) -> dict:
    # Every failing row: a suite that holds versions back needs them all. GE lists their positions
    # (fast); their keys are read from the frame (failing_rows.py), not by GE (a Python loop per row).
    return {"result_format": "COMPLETE", "partial_unexpected_count": MAX_SAMPLE}


def index_columns(suite: Suite) -> list[str]:
    """What names a failing row: the suite's identify_rows_by and the columns its findings show."""
    if not suite.identify_rows_by:
        return []
    shown = [r.show for r in suite.rules if r.show and r.show not in suite.identify_rows_by]
    return list(dict.fromkeys([*suite.identify_rows_by, *shown]))


def validate(
    con: duckdb.DuckDBPyConnection, suite: Suite, live: Path, run_name: str | None = None, years: list[str] | None = None
) -> SuiteOutcome:
    if years and by_year.is_scoped(suite.data) and not by_year.covers(con, suite.name, [r.rule for r in suite.rules]):
        years = None
    frame = suite_frame(con, suite, years)
    context = gx_context(live)
    definition = context.validation_definitions.get(suite.name)
    result, ids = failing_rows.validate_unstored(
        definition, frame, parameters(con, suite), result_format(suite), run_identifier(run_name)
    )
    outcome = outcome_of(suite, result, frame)
    if by_year.is_scoped(suite.data):
        outcome.by_year, outcome.years = _by_year(outcome, frame), years or None
    failing_rows.store(definition, result, ids, frame, index_columns(suite))  # each rule's first failing rows, for Data Docs
    _validated.setdefault(live, set()).add(run_name or "")
    return outcome


def _by_year(outcome: SuiteOutcome, frame) -> list[dict]:
    column = by_year.year_column(list(frame.columns))
    checked = Counter(by_year.row_years(frame[column].tolist()).tolist() if column else {by_year.UNSPLIT: len(frame)})
    keys = outcome.suite.identify_rows_by
    return [
        row
        for o in outcome.outcomes
        for row in by_year.split(
            o.rule.rule, o.passed, o.rows_failing, checked, o.failing_keys, keys, lambda r: _identify(r, keys), MAX_SAMPLE
        )
    ]


def outcome_of(suite: Suite, result, frame) -> SuiteOutcome:
    by_rule = {(r.expectation, r.column, r.rule): r for r in suite.rules}
    columns = index_columns(suite)
    outcomes = []
    for item in result.results:
        config = item.expectation_config
        column = ", ".join(v for k, v in config.kwargs.items() if (k == "column" or k.startswith("column_")) and isinstance(v, str))
        rule = by_rule[(config.type, column, rule_text(suite, config))]
        details = item.result or {}
        checked = details.get("element_count", len(frame))
        failing = details.get("unexpected_count")
        if failing is None:
            failing = 0 if item.success else checked
        positions = failing_rows.positions_of(details)
        indexed: Sequence[dict] = []
        if positions is not None and columns:
            # Rows in the order of their keys, so a finding lists the same rows the same way every run.
            ordered = failing_rows.natural_order(frame, positions, suite.identify_rows_by)
            indexed = failing_rows.FailingRows(frame, ordered, failing_rows.key_columns(failing_rows.domain_of(config.kwargs), columns))
        sample = [_identify(row, suite.identify_rows_by) for row in indexed[:MAX_SAMPLE]] or [
            _plain(v) for v in details.get("partial_unexpected_list") or []
        ]
        outcomes.append(
            RuleOutcome(rule, bool(item.success), int(checked or 0), int(failing), sample, indexed, suite.identify_rows_by)
        )
    return SuiteOutcome(suite, outcomes)


def record(con: duckdb.DuckDBPyConnection, outcome: SuiteOutcome, run_id: str) -> None:
    """Keep this run's results for the suite in audit.quality_results."""
    con.execute("delete from audit.quality_results where suite = ?", [outcome.suite.name])
    now = datetime.now(UTC).replace(tzinfo=None)
    whole = {}
    if outcome.by_year is not None:
        by_year.replace(con, outcome.suite.name, outcome.years, outcome.by_year)
        whole = by_year.totals(con, outcome.suite.name, MAX_SAMPLE)
    rows = [
        {
            "run_id": run_id,
            "checked_at": now,
            "suite": outcome.suite.name,
            "guards": outcome.suite.asset_path,
            "rule": o.rule.rule,
            "expectation": o.rule.expectation,
            "column_name": o.rule.column,
            "severity": ("hold back" if outcome.suite.holds_back else "blocking") if o.rule.blocking else "warning",
            "passed": passed,
            "rows_checked": checked,
            "rows_failing": failing,
            "failing_sample": "; ".join(_short(v) for v in sample[:MAX_SAMPLE]) or None,
        }
        for o in outcome.outcomes
        # Over every year the warehouse holds, where the suite is checked by year (by_year.py).
        for passed, checked, failing, sample in [whole.get(o.rule.rule, (o.passed, o.rows_checked, o.rows_failing, o.failing_sample))]
    ]
    import pyarrow as pa  # here, not at the top: a review pack's worker counts the recorded rules and never records one

    con.register("_quality", pa.Table.from_pylist(rows))
    con.execute("insert into audit.quality_results by name select * from _quality")
    con.unregister("_quality")


def finish(live: Path) -> Path | None:
    """After a run's validations: Data Docs for them (see docs.py); None if nothing was validated."""
    run_names = was_validated(live)
    if not run_names:
        return None
    from opcc.core.timings import timed
    from opcc.quality.docs import build

    with timed("Data Docs"):
        try:
            return build(gx_context(live), live, run_names)
        except OSError:  # a full or read-only disk: the refresh says so in one line; the docs are not essential
            return None


def run_checkpoints(live: Path, suites: list[Suite] | None = None) -> list[SuiteOutcome]:
    """Every suite against the published warehouse (read-only), validated exactly as a refresh
    validates it (the same rows, the same failing rows' keys, so the same findings); Data Docs follow."""
    from opcc.core.queries import connect_locked
    from opcc.quality.docs import make_offline, quality_dir
    from opcc.quality.suites import load_suites

    with connect_locked(live) as con:
        outcomes = [validate(con, suite, live, run_name="opcc check") for suite in suites or load_suites()]
    finish(live)
    make_offline(quality_dir(live) / "data_docs")
    return outcomes

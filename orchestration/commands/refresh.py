"""Run the `refresh` job in-process: what `opcc refresh`, the tests and the benchmark call.

It is the same Dagster job the UI, the schedules and the sensor launch; this
module only chooses its tags (which periods, whether to start from nothing)
and turns the run's events into a summary a person can act on.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb

from opcc.core import timings
from opcc.core import warehouse as wh
from opcc.core.dbt_project import prepare_manifest
from opcc.core.dbt_tests import describe as describe_dbt_test
from opcc.core.dbt_tests import offenders_query
from opcc.core.periods import Period, partition_periods
from opcc.core.settings import apply_offline_environment, raw_dir, warehouse_path
from opcc.ingest.personal_data import quoted
from opcc.ingest.returns import period_folders
from opcc.quality import Counts, data_docs_index, summarise_recorded
from orchestration.defs.instance import open_instance
from orchestration.defs.resources import LOCK_WAIT_TAG, START_TAG

PARTITION_RANGE_START = "dagster/asset_partition_range_start"
PARTITION_RANGE_END = "dagster/asset_partition_range_end"


@dataclass
class CheckOutcome:
    asset: str
    check: str
    passed: bool
    blocking: bool
    description: str


@dataclass(frozen=True)
class HeldBackVersion:
    commissioner_code: str
    framework_version: str
    reasons: str
    last_published: bool = False  # published before: the marts show it as then (audit.kept_versions)


@dataclass
class RefreshOutcome:
    success: bool  # published
    reason: str
    seconds: float
    warehouse: Path
    run_id: str = ""
    tables: list[tuple[str, str, int]] = field(default_factory=list)
    checks: list[CheckOutcome] = field(default_factory=list)
    materialized: list[str] = field(default_factory=list)
    data_docs: Path | None = None
    held_back: list[HeldBackVersion] = field(default_factory=list)
    stages: dict[str, float] = field(default_factory=dict)  # where the time went (timings.py)
    rule_counts: Counts | None = None  # the quality rules, counted as the review pack and `opcc check` count them
    packs: list[Path] = field(default_factory=list)  # review packs the refresh built and published
    packs_unchanged: int = 0  # published packs left as they were: their figures did not change
    withheld: list[tuple[str, str, str, str]] = field(default_factory=list)  # (commissioner, version or period, output, why)
    set_aside: Path | None = None  # where a damaged live warehouse was kept before this rebuild
    failed_rules: list[str] = field(default_factory=list)  # each failed blocking rule in words, the reason's first

    @property
    def exit_code(self) -> int:
        """0 published; 1 not published; 3 published, but a framework version was held back."""
        if not self.success:
            return 1
        return 3 if self.held_back or self.withheld else 0

    @property
    def failed_blocking(self) -> list[CheckOutcome]:
        return [c for c in self.checks if not c.passed and c.blocking]

    @property
    def warnings(self) -> list[CheckOutcome]:
        return [c for c in self.checks if not c.passed and not c.blocking]


# size: the edge of a refresh: options checked, the run started and its outcome read in one place.
def run_refresh(
    warehouse: str | os.PathLike | None = None,
    raw: str | os.PathLike | None = None,
    *,
    periods: list[str] | None = None,
    full: bool | None = None,
    wait_seconds: float = 0.0,
    progress: bool = True,
    tags: dict[str, str] | None = None,
) -> RefreshOutcome:
    apply_offline_environment()
    started = time.monotonic()
    live = warehouse_path(warehouse)
    raw_path = raw_dir(raw)

    def failed(reason: str) -> RefreshOutcome:
        return RefreshOutcome(False, reason, time.monotonic() - started, live)

    if not raw_path.is_dir():
        return failed(f"raw folder {raw_path} not found (pass --raw DIR or set OPCC_RAW)")
    if next(raw_path.iterdir(), None) is None:
        return failed(f"raw folder {raw_path} is empty: nothing to build the warehouse from (pass --raw DIR or set OPCC_RAW)")
    # A full refresh reads every period folder into a new file; naming periods refreshes only
    # those, on a copy of the live warehouse.
    try:
        wanted = sorted(Period.parse(p) for p in periods) if periods else [Period.parse(p) for p in period_folders(raw_path)]
    except ValueError as error:
        return failed(str(error))
    if full is None:
        full = not periods
    known = set(partition_periods())
    outside = [str(p) for p in wanted if str(p) not in known]
    if outside:
        return failed(f"period(s) {', '.join(outside)} outside the partitions the pipeline knows (set OPCC_FIRST_PERIOD)")
    if wait_seconds <= 0 and wh.is_locked(live):
        holder = wh.read_lock_holder(live)
        who = holder.describe() if holder else "another process"
        return failed(f"the warehouse {live} is locked by {who}; wait for it to finish or pass --wait SECONDS")
    # A live file that cannot be read is kept aside (never deleted) and the warehouse rebuilt in full
    # from the raw folder and its submission ledger.
    set_aside_as = None
    damage = wh.is_unreadable(live)
    if damage:
        if wh.is_locked(live):
            return failed(damage)
        set_aside_as = wh.set_aside(live)
        full, wanted = True, [Period.parse(p) for p in period_folders(raw_path)]
    measured_before = timings.spent()
    prepare_manifest()
    from orchestration.defs.definitions import build_definitions

    defs = build_definitions(live, raw_path)  # the paths are passed to the run, bound to its resource

    job = defs.resolve_job_def("refresh")
    run_tags = {START_TAG: "empty" if full else "live", LOCK_WAIT_TAG: str(wait_seconds), **(tags or {})}
    selection = None
    if wanted:
        run_tags[PARTITION_RANGE_START] = str(wanted[0])
        run_tags[PARTITION_RANGE_END] = str(wanted[-1])
        run_tags["opcc/periods"] = ", ".join(str(p) for p in wanted)
    else:  # no returns yet: everything but what is partitioned by period (the ingest of returns, the review pack)
        selection = [k for k in job.asset_layer.selected_asset_keys if defs.resolve_assets_def(k).partitions_def is None]
    logger = "progress" if progress else "silent"
    # dbt's own output goes to a log beside the warehouse; the terminal gets one line per step.
    log_path = wh.refresh_log_path(live)
    live.parent.mkdir(parents=True, exist_ok=True)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with (
        open(log_path, "w", encoding="utf-8") as log,
        contextlib.redirect_stdout(log),
        open_instance(live) as instance,  # the warehouse's own instance: the UI shows this run
    ):
        setting_up = time.monotonic() - started
        measured_at_run = timings.spent()
        run_started = time.monotonic()
        result = job.execute_in_process(
            instance=instance,
            tags=run_tags,
            raise_on_error=False,
            run_config={"loggers": {logger: {}}},
            asset_selection=selection,
        )
        stages = _stages(instance, result, defs, timings.spent() - measured_at_run, time.monotonic() - run_started)
    before_run = measured_at_run - measured_before  # dbt parsing, when the project changed
    stages = Counter(stages) + before_run
    stages["start-up"] += max(0.0, setting_up - sum(before_run.values()))
    outcome = RefreshOutcome(
        success=False, reason="", seconds=0.0, warehouse=live, run_id=result.run_id,
        checks=_checks(result), materialized=_materialized(result), set_aside=set_aside_as,
    )
    docs = data_docs_index(live)
    outcome.data_docs = docs if docs.exists() else None
    published = "warehouse" in outcome.materialized
    outcome.success = result.success and published
    if not outcome.success:
        outcome.failed_rules = _failed_rules(outcome)
        outcome.reason = _failure_reason(result, outcome)
    else:
        outcome.packs = _published_packs(result)
        outcome.packs_unchanged = _unchanged_packs(result)
    read_finished(outcome, live if outcome.success else wh.failed_path(live))
    outcome.seconds = time.monotonic() - started
    stages["summary"] = outcome.seconds - sum(stages.values())  # table sizes, held-back versions
    outcome.stages = {k: round(v, 3) for k, v in sorted(stages.items(), key=lambda kv: timings.order(kv[0])) if v > 0}
    return outcome


def _stages(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult, defs, measured, run_seconds: float) -> dict[str, float]:
    """The run's wall time per stage: each step by the group of the assets it materialised."""
    from orchestration.defs.assets.dbt import dbt_candidates, dbt_models

    dbt_ops = {dbt_candidates.op.name, dbt_models.op.name}
    graph = defs.resolve_asset_graph()
    stage_of_step: dict[str, str] = {}
    for event in result.all_events:
        step = event.step_key
        if not step or step in stage_of_step:
            continue
        if step in dbt_ops:
            stage_of_step[step] = "dbt"
        elif event.event_type_value == "ASSET_MATERIALIZATION":
            key = event.event_specific_data.materialization.asset_key
            stage_of_step[step] = timings.stage_of_group(graph.get(key).group_name if graph.has(key) else None)
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            stage_of_step[step] = "checks"
    steps = {
        stats.step_key: (stage_of_step.get(stats.step_key, stats.step_key), (stats.end_time or 0) - (stats.start_time or 0))
        for stats in instance.get_run_step_stats(result.run_id)
        if stats.start_time
    }
    return timings.breakdown(steps, run_seconds, measured)


def read_finished(outcome: RefreshOutcome, path: Path) -> None:
    """The one reader of a finished refresh's file, opened once: the published warehouse's tables,
    held-back versions, withheld outputs and rule results, or a failed build's rule results (a build
    killed half-way may have none yet)."""
    if not path.exists():
        return
    try:
        with wh.read_only(path) as con:
            outcome.rule_counts = summarise_recorded(con)
            if outcome.success:
                outcome.tables = con.execute(
                    "select schema_name, table_name, estimated_size from duckdb_tables() "
                    "where schema_name in ('raw', 'marts', 'audit') order by 1, 2"
                ).fetchall()
                rows = con.execute(
                    "select commissioner_code, framework_version, string_agg(rule || coalesce(' (' || detail || ')', ''), '; ' "
                    "order by suite, rule), (commissioner_code, framework_version) in "
                    "(select (commissioner_code, framework_version) from audit.kept_versions) "
                    "from audit.held_back_versions group by all order by 1, 2"
                ).fetchall()
                outcome.held_back = [HeldBackVersion(*row) for row in rows]
                outcome.withheld = _withheld_outputs(con)
    except (duckdb.Error, OSError):
        if outcome.success:
            raise  # the published file must read; only a failed build may be half-made


def _withheld_outputs(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str]]:
    """One commissioner's outputs the refresh did not write (open data, review pack), and why."""
    try:
        return con.execute(
            "select commissioner_code, coalesce(framework_version, ''), output, reason from audit.withheld_outputs order by 1, 3"
        ).fetchall()
    except duckdb.CatalogException:
        return []


def _published_packs(result: dg.ExecuteInProcessResult) -> list[Path]:
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION":
            materialization = event.event_specific_data.materialization
            if materialization.asset_key == dg.AssetKey(["warehouse"]) and "packs" in materialization.metadata:
                return [Path(line) for line in materialization.metadata["packs"].value.splitlines() if line]
    return []


def _unchanged_packs(result: dg.ExecuteInProcessResult) -> int:
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION":
            materialization = event.event_specific_data.materialization
            if materialization.asset_key == dg.AssetKey(["report", "review_pack"]) and "unchanged" in materialization.metadata:
                return int(materialization.metadata["unchanged"].value)
    return 0


def _checks(result: dg.ExecuteInProcessResult) -> list[CheckOutcome]:
    checks = []
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            data = event.event_specific_data
            checks.append(
                CheckOutcome(
                    asset=data.asset_key.to_user_string(),
                    check=data.check_name,
                    passed=data.passed,
                    blocking=data.severity == dg.AssetCheckSeverity.ERROR,
                    description=data.description or "",
                )
            )
    return checks


def _materialized(result: dg.ExecuteInProcessResult) -> list[str]:
    return [
        e.event_specific_data.materialization.asset_key.to_user_string()
        for e in result.all_events
        if e.event_type_value == "ASSET_MATERIALIZATION"
    ]


def _failed_rules(outcome: RefreshOutcome) -> list[str]:
    """Each failed blocking rule in one line: a dbt test in words with its first offending row."""
    rules = []
    for check in outcome.failed_blocking:
        failed_lines = [line.lstrip("✗ ") for line in check.description.splitlines() if line.startswith("✗")]
        structural = describe_dbt_test(check.check)
        if structural:
            rules.append(f"dbt test on {check.asset}: {structural}{_first_clash(check.check, wh.failed_path(outcome.warehouse))}")
        else:
            rules += [f"{check.check}: {line}" for line in failed_lines] or [f"{check.asset}:{check.check}"]
    return rules


def _failure_reason(result: dg.ExecuteInProcessResult, outcome: RefreshOutcome) -> str:
    rules = outcome.failed_rules
    if rules:
        more = f" (and {len(rules) - 1} more)" if len(rules) > 1 else ""
        return f"blocking rule failed: {rules[0]}{more}"
    for event in result.all_events:
        if event.event_type_value in ("STEP_FAILURE", "RESOURCE_INIT_FAILURE", "RUN_FAILURE", "PIPELINE_FAILURE", "ENGINE_EVENT") and getattr(
            event.event_specific_data, "error", None
        ):
            return f"{event.step_key or 'run'}: {_innermost(event.event_specific_data.error)}"
    return "the warehouse was not published (a step did not run)"


def _first_clash(test_name: str, database: Path) -> str:
    """For a test that failed on rows read from files (grain, relationships, not_null, accepted_values,
    reads_as): its first offending value and the file rows that hold it ("; first: contract_id 'LEI-003'
    at framework/contracts.csv rows 4, 59"), else ''."""
    query = offenders_query(test_name)
    if query is None or not database.exists():
        return ""
    relation, sql, key = query
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            if not {"source_file", "source_row"} <= {row[0] for row in con.execute(f"describe {relation}").fetchall()}:
                return ""
            found = con.execute(sql).fetchone()
    except duckdb.Error:
        return ""
    if found is None:
        return ""
    shown = ", ".join(f"{c} {quoted(str(v), 60) if v is not None else '(empty)'}" for c, v in zip(key, found, strict=False))
    rows: dict[str, list[str]] = {}
    for file, row in found[-2][:5]:
        rows.setdefault(quoted(str(file), 120).strip("'"), []).append(str(row))
    at = "; ".join(f"{file} row{'s' if len(numbers) > 1 else ''} {', '.join(numbers)}" for file, numbers in rows.items())
    return f"; first: {shown} at {at}" + (f" and {found[-1] - 5} more rows" if found[-1] > 5 else "")


def _innermost(error) -> str:
    while error.cause is not None:
        error = error.cause
    message = error.message.strip()
    # A Failure is how a step states a reason for the person running it: its Python class is not said.
    if error.cls_name == "Failure":
        message = message.split(": ", 1)[-1]
    lines = [line for line in message.splitlines() if line.strip()]
    return lines[0] if len(lines) == 1 else " ".join(lines[:6])


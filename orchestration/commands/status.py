"""`opcc status`: the state of a warehouse at a glance, for whoever runs it this quarter.

The live warehouse (when it was published, by which run, from which inputs),
the last refresh and its checks (from the warehouse's Dagster instance, so a
run the UI, the schedule or the sensor launched shows as well as one from the
command line), the returns of the quarter whose returns fell due most
recently, and when the schedule and the sensor will next act. Read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from opcc.core.periods import RHYTHM_KINDS, Period
from opcc.core.queries import connect_locked
from opcc.core.warehouse import WarehouseInUse, WarehouseUnreadable
from orchestration.defs.instance import dagster_home, instance_at

JOB = "refresh"
SCHEDULE = "quarterly_returns_schedule"
SENSOR = "returns_folder_sensor"


@dataclass
class Status:
    lines: list[str] = field(default_factory=list)

    def add(self, heading: str, *details: str) -> None:
        self.lines.append(heading)
        self.lines.extend(f"  {d}" for d in details if d)

    def text(self) -> str:
        return "\n".join(self.lines)


def _when(value) -> str:
    if value is None:
        return "never"
    if isinstance(value, (int, float)):
        value = datetime.fromtimestamp(value, UTC)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone().strftime("%d %B %Y %H:%M")
    return str(value)


def warehouse_part(live: Path, status: Status, today: date) -> None:
    if not live.exists():
        status.add(f"Warehouse {live}: not built yet (run `opcc refresh`)")
        return
    try:
        con = connect_locked(live)
    except WarehouseUnreadable as damaged:
        status.add(f"Warehouse {live}: DAMAGED", str(damaged)[0].upper() + str(damaged)[1:])
        return
    except WarehouseInUse as held:
        status.add(f"Warehouse {live}: IN USE", str(held)[0].upper() + str(held)[1:])
        return
    with con:
        refresh = con.execute(
            "select run_id, published_at, periods from audit.refreshes order by published_at desc limit 1"
        ).fetchone()
        inputs = con.execute(
            """
            select
                count(*) filter (where source_table = 'provider_returns' and status != 'rejected'),
                count(*) filter (where source_table = 'provider_returns' and status = 'rejected'),
                count(*) filter (where source_table != 'provider_returns')
            from audit.loaded_files
            """
        ).fetchone()
        versions = con.execute(
            "select commissioner_code, framework_version, status from marts.dim_framework_version order by 1, 2"
        ).fetchall()
        quality = dict(
            con.execute(
                "select case when passed then 'passed' when severity = 'warning' then 'warned' "
                "when severity = 'hold back' then 'held back' else 'failed' end, count(*) "
                "from audit.quality_results group by 1"
            ).fetchall()
        )
        status.add(
            f"Warehouse {live}",
            f"published {_when(refresh[1]) if refresh else 'by an earlier version of opcc'}"
            + (f" by run {refresh[0][:8]}" if refresh else "")
            + (f" (periods {refresh[2]})" if refresh and refresh[2] else " (everything)"),
            f"inputs: {inputs[2]} framework, plan and reference files; {inputs[0]} return files"
            + (f", {inputs[1]} rejected" if inputs[1] else ""),
            "framework versions: "
            + ", ".join(f"{c} {v} ({s})" for c, v, s in versions),
            "quality rules: " + ", ".join(f"{quality.get(k, 0)} {k}" for k in ("passed", "warned", "held back", "failed")),
        )
        returns_part(con, status, today)


CHASE_LIMIT = 20


def returns_part(con, status: Status, today: date) -> None:
    """Per reporting rhythm in use, the latest period whose returns fell due: how many arrived, and the
    chase list (missing returns, then late ones) naming contract, provider and period."""
    rhythms = [
        r for (r,) in con.execute(
            "select distinct reporting_rhythm from marts.fct_contract_quarter where is_expected and reporting_rhythm is not null"
        ).fetchall()
    ]
    if not rhythms:
        latest = con.execute("select max(period) from marts.fct_contract_quarter").fetchone()[0]
        due = latest_due(today, "quarterly")
        status.add(f"Returns for {due} (due {due.due:%d %B %Y}): none in the warehouse"
                   + (f"; the latest period it holds is {latest}" if latest else ""))
        return
    for rhythm in sorted(rhythms, key=lambda r: list(RHYTHM_KINDS).index(r) if r in RHYTHM_KINDS else 9):
        if rhythm not in RHYTHM_KINDS:
            continue
        due = latest_due(today, rhythm)
        shown = str(due)
        counts = con.execute(
            "select return_status, count(*) from marts.fct_contract_quarter where period = ? and is_expected group by 1", [shown]
        ).fetchall()
        if not counts:
            latest = con.execute(
                "select max(period) from marts.fct_contract_quarter where reporting_rhythm = ? and is_expected", [rhythm]
            ).fetchone()[0]
            status.add(
                f"Returns for {due} (due {due.due:%d %B %Y}, {rhythm}): none in the warehouse"
                + (f"; the latest {due.kind} it holds is {latest}" if latest else "")
            )
            if not latest:
                continue
            shown = latest
            counts = con.execute(
                "select return_status, count(*) from marts.fct_contract_quarter where period = ? and is_expected group by 1",
                [shown],
            ).fetchall()
        by_status = dict(counts)
        period = Period.parse(shown)
        status.add(
            f"Returns for {shown} (due {period.due:%d %B %Y}, {rhythm})",
            f"{sum(by_status.values())} expected: "
            + ", ".join(f"{by_status.get(k, 0)} {k}" for k in ("received", "received (date unknown)", "late", "resubmitted", "missing")
                        if k in by_status or k in ("received", "late", "resubmitted", "missing")),
        )
        chase = con.execute(
            "select q.contract_id, coalesce(c.provider, ''), q.return_status, q.days_late from marts.fct_contract_quarter q "
            "left join marts.dim_contract c using (contract_id) where q.period = ? and q.is_expected "
            "and q.return_status in ('missing', 'late') order by q.return_status = 'late', q.contract_id",
            [shown],
        ).fetchall()
        if chase:
            lines = [
                f"{contract} {provider}: " + ("missing" if state == "missing" else f"late by {days} days")
                for contract, provider, state, days in chase[:CHASE_LIMIT]
            ]
            if len(chase) > CHASE_LIMIT:
                lines.append(f"and {len(chase) - CHASE_LIMIT} more")
            status.add(f"To chase for {shown}:", *lines)


def latest_due(today: date, rhythm: str) -> Period:
    """The latest period of the rhythm whose returns were due by today."""
    due = Period.containing(today, rhythm).previous()
    while due.due > today:
        due = due.previous()
    return due


def instance_part(live: Path, status: Status, now: datetime) -> None:
    home = dagster_home(live)
    if not (home / "dagster.yaml").exists():
        status.add(f"Dagster instance {home}: no run recorded yet")
        return
    import dagster as dg
    from dagster._core.events import DagsterEventType
    from dagster._core.scheduler.instigation import InstigatorStatus
    from dagster._utils.schedules import cron_string_iterator

    with instance_at(home) as instance:
        runs = instance.get_runs(filters=dg.RunsFilter(job_name=JOB), limit=1)
        if not runs:
            status.add(f"Last refresh: none recorded in {home}")
        else:
            run = runs[0]
            record = instance.get_run_record_by_id(run.run_id)
            checks = instance.get_records_for_run(
                run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION, limit=10000
            ).records
            evaluations = [r.event_log_entry.dagster_event.event_specific_data for r in checks]
            passed = sum(1 for e in evaluations if e.passed)
            warned = sum(1 for e in evaluations if not e.passed and e.severity == dg.AssetCheckSeverity.WARN)
            trigger = run.tags.get("opcc/trigger") or ("the command line" if "opcc/start" in run.tags else "the UI")
            status.add(
                f"Last refresh: run {run.run_id[:8]} {run.status.value.lower()}, started by {trigger}",
                f"started {_when(record.start_time)}, ended {_when(record.end_time)}"
                + (f"; periods {run.tags['opcc/periods']}" if run.tags.get("opcc/periods") else ""),
                f"Dagster checks: {passed} passed, {warned} with warnings, {len(checks) - passed - warned} failed "
                "(one per dbt test, file check and quality suite; the rules are counted above)",
            )
        states = {s.instigator_name: s for s in instance.all_instigator_state()}
    from orchestration.defs.schedules import quarterly_returns_schedule

    following = next(
        cron_string_iterator(now.timestamp(), quarterly_returns_schedule.cron_schedule, quarterly_returns_schedule.execution_timezone)
    )
    for name, what in ((SCHEDULE, f"next run {_when(following)} ({quarterly_returns_schedule.execution_timezone})"),
                       (SENSOR, "refreshes the quarters whose return files change")):
        state = states.get(name)
        running = state is not None and state.status == InstigatorStatus.RUNNING
        status.add(
            f"{name}: {'on' if running else 'off'}; {what}",
            "" if running else "turn it on in the UI (opcc serve) to have it act",
        )


def status(live: Path, today: date | None = None) -> str:
    today = today or date.today()
    report = Status()
    warehouse_part(live, report, today)
    instance_part(live, report, datetime.now(UTC))
    return report.text()

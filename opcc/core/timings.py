"""Where a refresh's time goes, stage by stage.

A refresh is imports, Dagster setting the run up, then its steps. Most stages are
whole steps (ingest, checks, pack, publish), classified by the asset group they
materialise; the dbt steps are split using dbt's own node timings into parse,
start-up (adapter, catalogue, compiling the selection), models and tests; work
that happens outside any step (Data Docs at the end of the run) is measured where
it is done. Whatever is left of the run's wall time is Dagster's own.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime

# Seconds spent per stage by this process in work that is not a whole step (dbt parsing and the
# inside of a dbt build, Data Docs). A refresh reads the difference over its run.
_spent: Counter[str] = Counter()
_lock = threading.Lock()

# The stage of a step that materialises assets of a group (raw_* groups are ingest, dbt_* dbt);
# any other group is a stage of its own name.
STAGE_OF_GROUP = {"quality": "checks", "report": "pack", "publish": "publish"}


def stage_of_group(group: str | None) -> str:
    group = group or "other"
    for prefix, stage in (("raw_", "ingest"), ("dbt_", "dbt")):
        if group.startswith(prefix):
            return stage
    return STAGE_OF_GROUP.get(group, group.replace("_", " "))


# The order a person reads them in.
STAGES = (
    "start-up", "ingest", "dbt parse", "dbt start-up", "dbt models", "dbt tests", "checks", "Data Docs", "pack",
    "open data", "publish", "Dagster", "summary",
)


def add(stage: str, seconds: float) -> None:
    with _lock:
        _spent[stage] += seconds


@contextlib.contextmanager
def timed(stage: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        add(stage, time.perf_counter() - started)


def spent() -> Counter[str]:
    with _lock:
        return Counter(_spent)


def _instant(text: str | None) -> float | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def dbt_split(events: Iterable[dict], wall_seconds: float) -> dict[str, float]:
    """A dbt invocation's wall time as models, tests and the rest (dbt's start-up).

    Nodes run on several threads, so their times overlap: each instant counts once, for models if
    any model was running then, else for tests if a test was.
    """
    edges: list[tuple[float, int, str]] = []
    for event in events:
        info = (event.get("data") or {}).get("node_info") or {}
        started, finished = _instant(info.get("node_started_at")), _instant(info.get("node_finished_at"))
        if started is None or finished is None or finished < started:
            continue
        kind = "dbt tests" if info.get("resource_type") in ("test", "unit_test") else "dbt models"
        edges += [(started, 1, kind), (finished, -1, kind)]
    edges.sort()
    busy: Counter[str] = Counter()
    split = {"dbt models": 0.0, "dbt tests": 0.0}
    previous = None
    for instant, step, kind in edges:
        if previous is not None and instant > previous:
            running = "dbt models" if busy["dbt models"] else "dbt tests" if busy["dbt tests"] else None
            if running:
                split[running] += instant - previous
        busy[kind] += step
        previous = instant
    split["dbt start-up"] = max(0.0, wall_seconds - split["dbt models"] - split["dbt tests"])
    return split


def process_age() -> float | None:
    """Seconds since this process started (Linux), or None: what imports and start-up cost."""
    try:
        with open("/proc/self/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        with open("/proc/uptime", encoding="ascii") as handle:
            uptime = float(handle.read().split()[0])
        return max(0.0, uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return None


def breakdown(steps: dict[str, tuple[str, float]], run_seconds: float, measured: Counter[str]) -> dict[str, float]:
    """Seconds per stage of a run: `steps` maps each step to (its stage, its wall time)."""
    stages: Counter[str] = Counter()
    inside_steps = 0.0
    for stage, seconds in steps.values():
        inside_steps += seconds
        if stage != "dbt":
            stages[stage] += seconds
    dbt_measured = sum(v for k, v in measured.items() if k.startswith("dbt "))
    dbt_steps = sum(seconds for stage, seconds in steps.values() if stage == "dbt")
    stages.update(measured)
    # dbt's steps also yield its results to Dagster: what their measured parts do not cover is Dagster's.
    outside_steps = sum(v for k, v in measured.items() if not k.startswith("dbt "))
    stages["Dagster"] += max(0.0, run_seconds - inside_steps - outside_steps) + max(0.0, dbt_steps - dbt_measured)
    return {stage: round(stages[stage], 3) for stage in sorted(stages, key=order) if stages[stage] > 0}


def order(stage: str) -> tuple[int, str]:
    return (STAGES.index(stage) if stage in STAGES else len(STAGES), stage)


def describe(stages: dict[str, float]) -> str:
    return " · ".join(f"{stage} {seconds:.1f}" for stage, seconds in stages.items())

"""Where a refresh's time goes: the stages add up to the time it took."""

import re

from opcc.core.timings import dbt_split, stage_of_group
from tests.conftest import statements


def _node(kind: str, start: str, end: str) -> dict:
    return {"data": {"node_info": {"resource_type": kind, "node_started_at": f"2030-01-01T00:00:{start}",
                                   "node_finished_at": f"2030-01-01T00:00:{end}"}}}


def test_dbt_time_counts_each_instant_once():
    # two models overlap (0-2, 1-3), a test runs beside the second (2.5-4), nothing after 4 of 6 s
    events = [_node("model", "00", "02"), _node("model", "01", "03"), _node("test", "02.5", "04")]
    split = dbt_split(events, wall_seconds=6.0)
    assert split == {"dbt models": 3.0, "dbt tests": 1.0, "dbt start-up": 2.0}


def test_groups_name_their_stage():
    assert stage_of_group("raw_returns") == "ingest"
    assert stage_of_group("dbt_marts") == "dbt"
    assert stage_of_group("report") == "pack"
    assert stage_of_group("open_data") == "open data"


def test_the_summary_says_where_the_time_went(bundled_refresh):
    _, completed = bundled_refresh
    took = re.search(r"took\s+([\d.]+) s \((.*)\)", "\n".join(statements(completed.stdout)))
    assert took, completed.stdout
    stages = {name: float(seconds) for name, seconds in re.findall(r"([A-Za-z][A-Za-z -]*?) ([\d.]+)(?: ·|$)", took[2])}
    assert {"start-up", "ingest", "dbt models", "dbt tests", "checks", "pack", "publish"} <= set(stages)
    # each stage is rounded to a tenth: together they are the whole, give or take the rounding
    assert abs(sum(stages.values()) - float(took[1])) <= 0.05 * len(stages) + 0.1

"""The returns sensor and the quarterly schedule, evaluated with Dagster's own test utilities."""

import datetime
import json
import os

import dagster as dg
import pytest

from orchestration.defs.definitions import defs
from orchestration.defs.schedules import quarterly_returns_schedule
from orchestration.defs.sensors import returns_folder_sensor


@pytest.fixture
def instance():
    with dg.DagsterInstance.ephemeral() as instance:
        yield instance


def tick(instance, cursor=None):
    context = dg.build_sensor_context(instance=instance, cursor=cursor, definitions=defs)
    return returns_folder_sensor.evaluate_tick(context)


def test_sensor_requests_runs_for_just_the_changed_periods(instance, raw_copy, monkeypatch):
    monkeypatch.setenv("OPCC_RAW", str(raw_copy))
    first = tick(instance)
    assert sorted(r.partition_key for r in first.run_requests) == ["2016-17 Q1", "2016-17 Q2", "2016-17 Q3", "2016-17 Q4"]
    assert all(r.tags["opcc/start"] == "live" for r in first.run_requests)
    partitions = set(defs.resolve_job_def("refresh").partitions_def.get_partition_keys())
    assert {r.partition_key for r in first.run_requests} <= partitions

    quiet = tick(instance, first.cursor)
    assert not quiet.run_requests and quiet.skip_message

    (raw_copy / "returns" / "2016-17 Q3" / "LEI-027.csv").write_text(
        "contract_id,period,measure,value,comment\nLEI-027,2016-17 Q3,spend_gbp,5000,late but here\n"
    )
    changed = tick(instance, quiet.cursor)
    assert [r.partition_key for r in changed.run_requests] == ["2016-17 Q3"]
    assert json.loads(changed.cursor)["2016-17 Q2"] == json.loads(first.cursor)["2016-17 Q2"]


def test_sensor_notices_a_new_submission_log_line(instance, raw_copy, monkeypatch):
    monkeypatch.setenv("OPCC_RAW", str(raw_copy))
    cursor = tick(instance).cursor
    with (raw_copy / "returns" / "submission_log.csv").open("a", encoding="utf-8") as log:
        log.write("2016-17 Q4,LEI-001.csv,2017-04-10 09:00,re-dated\n")
    assert [r.partition_key for r in tick(instance, cursor).run_requests] == ["2016-17 Q4"]


def test_sensor_notices_a_return_whose_name_is_not_utf8(instance, raw_copy, monkeypatch):
    """Hashing the name as text raised UnicodeEncodeError at every tick: no refresh would ever start."""
    monkeypatch.setenv("OPCC_RAW", str(raw_copy))
    cursor = tick(instance).cursor
    folder = os.fsencode(raw_copy / "returns" / "2016-17 Q4")
    with open(os.path.join(folder, b"LEI-001 \xff.csv"), "wb") as handle:
        handle.write(b"contract_id,period,measure,value,comment\nLEI-001,2016-17 Q4,spend_gbp,1,\n")
    assert [r.partition_key for r in tick(instance, cursor).run_requests] == ["2016-17 Q4"]


@pytest.mark.parametrize(
    ("when", "period"),
    [
        (datetime.datetime(2016, 7, 21, 6), "2016-17 Q1"),
        (datetime.datetime(2016, 10, 21, 6), "2016-17 Q2"),
        (datetime.datetime(2017, 1, 21, 6), "2016-17 Q3"),
        (datetime.datetime(2017, 4, 21, 6), "2016-17 Q4"),
    ],
)
def test_schedule_refreshes_the_quarter_whose_returns_just_fell_due(instance, when, period):
    context = dg.build_schedule_context(instance=instance, scheduled_execution_time=when, repository_def=defs.get_repository_def())
    result = quarterly_returns_schedule.evaluate_tick(context)
    (request,) = result.run_requests
    assert request.partition_key == period
    # The day it runs is the day after the return deadline.
    from opcc.core.periods import Period

    assert Period.parse(period).due + datetime.timedelta(days=1) == when.date()

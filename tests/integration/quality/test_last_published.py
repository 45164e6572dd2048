"""A held-back version keeps its last published figures; a blocking check one commissioner breaks
holds back that commissioner alone (issue 23, items 2 and 3).

Each test builds its own warehouse from a copy of raw/ in tmp_path, with the submission ledger
beside it (`raw.ledger/`), as a deployment does.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from opcc.core import warehouse as wh
from orchestration.commands.refresh import RefreshOutcome, read_finished, run_refresh
from tests.conftest import RAW, run_opcc

pytestmark = pytest.mark.warehouse

V2 = "framework/LEI-2016-17-v2"
FIXTURES = RAW.parent / "tests" / "fixtures" / "commissioners"
NOR_NAME = "Office of the Police and Crime Commissioner for Norborough (illustrative)"
NOTE = re.compile(r"^held back since \d{4}-\d{2}-\d{2}: .*Every printed subtotal and total equals the sum of its lines")


def edit(raw: Path, relative: str, old: str, new: str) -> None:
    path = raw / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, (relative, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def add_never_published_version(raw: Path) -> None:
    """LEI 2016-17 v3: v2's files as a third version whose grand total is misprinted (it fails a
    blocking rule from its first refresh)."""
    v3 = raw / "framework" / "LEI-2016-17-v3"
    shutil.copytree(raw / V2, v3)
    for path in v3.glob("*.csv"):
        path.write_text(path.read_text(encoding="utf-8").replace("2016-17 v2", "2016-17 v3"), encoding="utf-8")
    edit(raw, "framework/LEI-2016-17-v3/framework.csv", "2016-17,2,", "2016-17,3,")
    edit(raw, "framework/LEI-2016-17-v3/published_totals.csv", '"£3,939,983"', '"£3,939,984"')


def marts(live: Path) -> dict:
    with duckdb.connect(str(live), read_only=True) as con:
        return {
            "total": con.execute("select sum(allocated_gbp) from marts.fct_allocation").fetchone()[0],
            "versions": {
                version: (status, allocated)
                for version, status, allocated in con.execute(
                    "select framework_version, status, allocated_gbp from marts.dim_framework_version"
                ).fetchall()
            },
            "v3_lines": con.execute("select count(*) from marts.fct_allocation where framework_version = '2016-17 v3'").fetchone()[0],
            "by_priority": con.execute(
                "select sum(attributed_gbp) from marts.fct_allocation_by_priority where framework_version = '2016-17 v2'"
            ).fetchone()[0],
        }


def held_back_note(live: Path) -> str | None:
    with duckdb.connect(str(live), read_only=True) as con:
        return con.execute(
            "select held_back_note from marts.dim_framework_version where framework_version = '2016-17 v2'"
        ).fetchone()[0]


def open_data_manifest(live: Path) -> dict:
    [manifest] = (wh.open_data_dir(live) / "LEI" / "2016-17-v2").glob("*-manifest.json")
    return json.loads(manifest.read_text(encoding="utf-8"))


def pack_text(live: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in wh.outputs_dir(live).glob("reports/*/LEI/*.html"))


def test_an_edited_version_that_fails_keeps_its_last_published_figures_even_after_a_rebuild(tmp_path, raw_copy):
    live = tmp_path / "warehouse" / "opcc.duckdb"
    first = run_refresh(live, raw_copy, progress=False)
    assert first.exit_code == 0, first.reason
    published = marts(live)
    assert published["versions"]["2016-17 v2"][0] == "current"
    ledger = raw_copy.parent / "raw.ledger"
    with (ledger / "published_versions.csv").open(encoding="utf-8", newline="") as handle:
        assert {(r["commissioner_code"], r["framework_version"]) for r in csv.DictReader(handle)} == {
            ("LEI", "2016-17 v1"), ("LEI", "2016-17 v2"),
        }

    # +£1,000 to one register line of the published v2: its printed totals no longer add up.
    edit(raw_copy, f"{V2}/allocation_lines.csv", '"£370,136"', '"£371,136"')
    add_never_published_version(raw_copy)
    outcome = run_refresh(live, raw_copy, progress=False)

    assert outcome.success and outcome.exit_code == 3
    held = marts(live)
    assert held["total"] == published["total"]  # not a whole version less
    assert held["by_priority"] == published["by_priority"]
    assert held["versions"]["2016-17 v2"] == published["versions"]["2016-17 v2"]  # current, as published
    assert {(v.commissioner_code, v.framework_version, v.last_published) for v in outcome.held_back} == {
        ("LEI", "2016-17 v2", True), ("LEI", "2016-17 v3", False),
    }
    note = held_back_note(live)
    assert NOTE.match(note), note
    assert held["versions"]["2016-17 v3"][0] == "held back" and held["v3_lines"] == 0  # never published: absent
    assert open_data_manifest(live)["held_back"] == note
    assert "held back since" in pack_text(live)

    # The warehouse is lost: raw + ledger give the same marts, the same date held back since.
    live.unlink()
    rebuilt = run_refresh(live, raw_copy, progress=False)
    assert rebuilt.success and rebuilt.exit_code == 3
    assert marts(live) == held
    assert held_back_note(live) == note
    assert open_data_manifest(live)["held_back"] == note


def test_a_blocking_check_broken_by_one_commissioner_holds_back_that_commissioner_alone(tmp_path, monkeypatch):
    """NOR's register loses a contract's priority attribution between the framework models and the
    marts (the rule 'Attributed pounds add up to the allocation' then fails on NOR's rows only): LEI
    publishes unchanged, NOR keeps its last published figures, and the refresh names NOR."""
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    imported = run_opcc(
        "import-allocations", str(FIXTURES / "nor-2016-17-register.csv"), "--raw", str(raw), "--commissioner", "NOR",
        "--version", "2016-17 v1", "--plan", str(FIXTURES / "nor-plan.csv"), "--name", NOR_NAME,
    )
    assert imported.returncode == 0, imported.stdout + imported.stderr
    with (raw / "reference" / "community_safety_partnerships.csv").open("a", encoding="utf-8") as areas:
        areas.writelines((FIXTURES / "nor-areas.csv").read_text(encoding="utf-8").splitlines(keepends=True)[1:])
    live = tmp_path / "warehouse" / "opcc.duckdb"
    assert run_refresh(live, raw, progress=False).exit_code == 0
    before = _figures(live)
    assert {code for code, *_ in before} == {"LEI", "NOR"}

    with duckdb.connect(str(live)) as con:
        con.execute("delete from intermediate.int_priority_shares where contract_id = 'NOR-003'")
    result = _rebuild_marts_from_live(live, raw, monkeypatch)

    assert result.success
    assert _figures(live) == before  # LEI's as built again, NOR's as last published
    outcome = RefreshOutcome(success=True, reason="", seconds=0.0, warehouse=live)
    read_finished(outcome, live)
    assert outcome.exit_code == 3
    [(code, _, output, reason)] = outcome.withheld
    assert (code, output) == ("NOR", "figures (priority_attribution)")
    assert "Attributed pounds add up to the allocation, to the penny" in reason and "NOR-003" in reason
    checks = [
        e.event_specific_data for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and e.event_specific_data.check_name == "priority_attribution"
    ]
    assert checks and not checks[0].passed and "held back NOR" in checks[0].description


def _figures(live: Path) -> list[tuple]:
    with duckdb.connect(str(live), read_only=True) as con:
        return con.execute(
            "select commissioner_code, framework_version, contract_id, strategic_priority, attributed_gbp "
            "from marts.fct_allocation_by_priority order by all"
        ).fetchall()


def _rebuild_marts_from_live(live: Path, raw: Path, monkeypatch):
    """The refresh job from the live warehouse, without the raw and framework steps (as the
    operations console materialises the marts and what follows them): the marts are built from
    the framework models the live warehouse holds."""
    from orchestration.defs.assets.dbt import dbt_candidates
    from orchestration.defs.assets.framework import raw_tables
    from orchestration.defs.assets.quality import held_back_versions
    from orchestration.defs.assets.returns import provider_returns, returns_folder
    from orchestration.defs.definitions import build_definitions
    from orchestration.defs.instance import open_instance
    from orchestration.defs.resources import START_TAG

    job = build_definitions(live, raw).resolve_job_def("refresh")
    upstream = {*dbt_candidates.keys, *held_back_versions.keys, *raw_tables.keys, *provider_returns.keys, *returns_folder.keys}
    with open_instance(live) as instance:
        return job.execute_in_process(
            instance=instance,
            tags={START_TAG: "live", "dagster/asset_partition_range_start": "2016-17 Q1",
                  "dagster/asset_partition_range_end": "2016-17 Q4"},
            raise_on_error=False,
            asset_selection=[k for k in job.asset_layer.selected_asset_keys if k not in upstream],
        )

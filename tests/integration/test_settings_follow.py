"""A setting has one home: change it there and the refresh, the templates, the schedule and the pack follow.

A copy of the project (as a clone would be) has its return deadline changed in
dbt_project.yml alone, from 20 to 35 days; the copy's own code then runs.
Youth Mentoring's Q2 return, received on 18 November 2016, is 14 days late
instead of 29.
"""

import subprocess
import sys
from datetime import date

import duckdb
import pytest
from openpyxl import load_workbook

from tests.conftest import PROJECT_ROOT, built_once

pytestmark = pytest.mark.warehouse

Q2_DUE = {20: date(2016, 10, 20), 35: date(2016, 11, 4)}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The copy, made once for the run (whichever worker asks first), its dbt project parsed there and
    then: the commands both workers run in it find the manifest current and none writes it."""

    def build(folder):
        root = copy_project(folder / "project")
        run(root, "-c", "from opcc.core.dbt_project import prepare_manifest; prepare_manifest()")
        return root

    return built_once(tmp_path_factory, "settings-follow-project", build)


@pytest.fixture(scope="module")
def warehouse(project, tmp_path_factory):
    """The copy's refresh, once for the run (the tests only read it)."""

    def build(folder):
        live = folder / "opcc.duckdb"
        run(project, "-m", "orchestration.commands.cli", "refresh", "--warehouse", str(live), "--raw", str(project / "raw"), "--quiet")
        return live

    return built_once(tmp_path_factory, "settings-follow-warehouse", build)


def copy_project(root):
    """The project's tracked files, copied, with return_due_days 35 instead of 20."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT_ROOT, capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, files):
        source = PROJECT_ROOT / name.decode()
        if source.is_file():
            target = root / name.decode()
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    settings = root / "dbt_project" / "dbt_project.yml"
    text = settings.read_text(encoding="utf-8")
    assert "  return_due_days: 20\n" in text
    settings.write_text(text.replace("  return_due_days: 20\n", "  return_due_days: 35\n"), encoding="utf-8")
    return root


def run(project, *args):
    """The copy's own code: `python -m` from its folder imports the copy, not the installed project."""
    completed = subprocess.run([sys.executable, *args], cwd=project, capture_output=True, text=True, timeout=900)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


def test_the_copy_runs_its_own_code(project):
    assert run(project, "-c", "import opcc.core.settings as s; print(s.DBT_PROJECT_DIR)").strip() == str(
        project / "dbt_project"
    )


def test_the_refresh_follows(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        due, status, days_late = con.execute(
            "select due_date, return_status, days_late from marts.fct_contract_quarter "
            "where contract_id = 'LEI-005' and period = '2016-17 Q2'"
        ).fetchone()
    assert due == Q2_DUE[35]
    assert status == "late" and days_late == (date(2016, 11, 18) - Q2_DUE[35]).days == 14


def test_the_template_follows(project, warehouse):
    out = project.parent / "template.xlsx"
    run(project, "-m", "orchestration.commands.cli", "template", "--warehouse", str(warehouse), "--contract", "LEI-022",
        "--period", "2016-17 Q2", "--out", str(out))
    sheet = load_workbook(out)["Return"]
    labels = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=2).value for r in range(1, 12)}
    assert labels["Return due"].date() == Q2_DUE[35]


def test_the_schedule_follows(project):
    script = (
        "import datetime, dagster as dg\n"
        "from orchestration.defs.schedules import quarterly_returns_schedule as s\n"
        "from orchestration.defs.definitions import defs\n"
        "print(s.cron_schedule)\n"
        "for day in (datetime.datetime(2016, 11, 5, 6), datetime.datetime(2016, 10, 21, 6)):\n"
        "    r = s.evaluate_tick(dg.build_schedule_context(scheduled_execution_time=day, repository_def=defs.get_repository_def()))\n"
        "    print([q.partition_key for q in r.run_requests])\n"
    )
    cron, on_the_day, on_the_old_day = run(project, "-c", script).strip().splitlines()
    assert cron == "0 6 * * *"  # the 36th day after a month's end is not a day of the month
    assert on_the_day == "['2016-17 Q2']" and on_the_old_day == "[]"


def test_the_pack_follows(project, warehouse):
    out = project.parent / "pack"
    run(project, "-m", "orchestration.commands.cli", "report", "--warehouse", str(warehouse), "--period", "2016-17 Q2", "--out", str(out))
    html = next(out.glob("*.html")).read_text(encoding="utf-8")
    assert "35 days" in html or Q2_DUE[35].isoformat() in html or "4 November 2016" in html
    assert Q2_DUE[20].isoformat() not in html and "20 October 2016" not in html

"""The offline environment (no telemetry from Dagster, dbt or Great Expectations) is set in one
place, opcc.core.settings.OFFLINE_ENVIRONMENT; the tests apply that, never a list of their own."""

import os
import re

from opcc.core.settings import OFFLINE_ENVIRONMENT
from tests.conftest import PROJECT_ROOT


def test_the_tests_run_offline_by_the_settings_list():
    assert {key: os.environ.get(key) for key in OFFLINE_ENVIRONMENT} == OFFLINE_ENVIRONMENT


def test_no_test_module_sets_an_offline_variable_itself():
    setting = re.compile(r"environ(\.setdefault\(|\[)\s*[\"'](" + "|".join(map(re.escape, OFFLINE_ENVIRONMENT)) + r")[\"']")
    found = [
        str(path.relative_to(PROJECT_ROOT))
        for path in (PROJECT_ROOT / "tests").rglob("*.py")
        if setting.search(path.read_text(encoding="utf-8"))
    ]
    assert not found, found

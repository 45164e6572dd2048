"""Any sequence of submissions leaves a complete, ordered history and a well-defined current return.

Property-based: hypothesis draws sequences of what happens to a contract's
return files between refreshes (a content submitted, replaced, changed back,
replaced by an unreadable file, removed, caught while still being written,
the same content under a second name). After each step the real intake
(`ingest_periods`, what the Dagster asset runs) reads the folder, and the real
dbt models of the returns (compiled by dbt once, run by DuckDB) decide the
history and the figures in force; their dbt tests must pass too. The figures
in force must be those of the latest readable content by evidence, and every
readable content ever seen must still be there, in exactly one place.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opcc.core.dbt_project import run_dbt
from opcc.ingest.intake import ingest_periods
from tests.conftest import reference_warehouse

pytestmark = pytest.mark.warehouse

PERIOD = "2016-17 Q2"
CONTRACT = "LEI-022"
PATHS = ("LEI-022.csv", "LEI-022 corrected.csv")
CONTENTS = {"A": 1000, "B": 2000, "C": 3000}  # spend; the indicators are the same in each
MODELS = [
    "staging/returns/stg_returns__reporting_periods",
    "staging/returns/stg_returns__provider_returns",
    "staging/returns/stg_returns__superseded_rows",
    "staging/returns/stg_returns__return_files",
    "staging/returns/stg_returns__file_history",
    "staging/returns/stg_returns__submission_log",
    "intermediate/returns/int_returns__submissions",
    "intermediate/returns/int_returns__latest_measures",
]
START = datetime(2016, 10, 3, 9, 0)


def content(name: str) -> str:
    return (
        "contract_id,period,measure,value,comment\n"
        f"{CONTRACT},{PERIOD},spend_gbp,{CONTENTS[name]},\n"
        f"{CONTRACT},{PERIOD},VIC_REFERRED,2500,\n{CONTRACT},{PERIOD},VIC_SUPPORTED,1500,\n"
        f"{CONTRACT},{PERIOD},VIC_COPE,700,\n{CONTRACT},{PERIOD},VIC_SATISFIED,84.5,\n"
    )


UNREADABLE = content("A").replace(",", ";")


class Compiled:
    """The template database and the compiled SQL (kept out of failure reports: it is long)."""

    def __init__(self, template: Path, models: dict[str, str], tests: list[str]):
        self.template, self.models, self.tests = template, models, tests

    def __repr__(self) -> str:
        return f"Compiled({len(self.models)} models, {len(self.tests)} tests)"


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> Compiled:
    """A template database with the reference tables, and the returns models and their tests as SQL."""
    base = tmp_path_factory.mktemp("sequences")
    template = reference_warehouse(base / "opcc.duckdb")
    names = [m.rsplit("/", 1)[1] for m in MODELS]
    compiled = run_dbt(["compile", "--quiet", "--select", *names], database=template, target_path=base / "target")
    assert compiled.success, compiled.error
    compiled_dir = base / "target" / "compiled" / "opcc" / "models"
    models = {m: (compiled_dir / f"{m}.sql").read_text(encoding="utf-8") for m in MODELS}
    folders = {(compiled_dir / m).parent for m in MODELS}
    tests = sorted({p.read_text(encoding="utf-8") for folder in folders for p in folder.glob("_returns__models.yml/*.sql")})
    # Only the tests on the models built here (not those reaching into other parts of the project).
    tests = [t for t in tests if set(re.findall(r'"(?:staging|intermediate)"\."(\w+)"', t)) <= set(names)]
    assert tests
    return Compiled(template, models, tests)


def build_models(con, models: dict[str, str]) -> None:
    for model, sql in models.items():
        schema, name = model.split("/")[0], model.rsplit("/", 1)[1]
        kind = "view" if schema == "staging" else "table"
        con.execute(f"create schema if not exists {schema}")
        con.execute(f"create or replace {kind} {schema}.{name} as {sql}")


steps = st.lists(
    st.one_of(
        st.tuples(st.just("submit"), st.sampled_from(PATHS), st.sampled_from(sorted(CONTENTS))),
        st.tuples(st.just("unreadable"), st.sampled_from(PATHS), st.just("")),
        st.tuples(st.just("remove"), st.sampled_from(PATHS), st.just("")),
        st.tuples(st.just("still being written"), st.sampled_from(PATHS), st.sampled_from(sorted(CONTENTS))),
    ),
    min_size=1,
    max_size=5,
)


class Expected:
    """What should be, by the rules in words: each path's versions (a content, 'unreadable' or
    'removed', with the step first seen and whether it loaded), and which are in force."""

    def __init__(self):
        self.versions: dict[str, list[list]] = {p: [] for p in PATHS}  # [what, first seen step, loaded]

    def established(self, name: str) -> bool:
        return any(loaded for _, _, loaded in self.versions[name])

    def observe(self, step: int, disk: dict[str, str | None], moving: set[str]) -> None:
        seen = {name: what for name, what in disk.items() if name not in moving}
        # Of identical files, one new under another name is a copy (not loaded); a file loaded
        # before under its own name never is.
        copies = set()
        for name, what in seen.items():
            if what in CONTENTS and not self.established(name):
                twins = [n for n, w in seen.items() if w == what and n != name]
                known = lambda n: (not self.established(n), not self.versions[n], n)  # noqa: E731
                if twins and min([name, *twins], key=known) != name:
                    copies.add(name)
        for name in PATHS:
            if name in moving:
                continue
            what, versions = seen.get(name), self.versions[name]
            last = versions[-1][0] if versions else None
            if what is None:
                if versions and last != "removed":
                    versions.append(["removed", step, False])
                continue
            loaded = what in CONTENTS and name not in copies
            if last != what:
                versions.append([what, step, loaded])
            else:
                versions[-1][2] = loaded

    def in_force(self) -> dict[str, tuple[str, int]]:
        found = {}
        for name, versions in self.versions.items():
            if not versions or versions[-1][0] == "removed":
                continue
            readable = [v for v in versions if v[2]]
            if readable:
                found[f"returns/{PERIOD}/{name}"] = (readable[-1][0], readable[-1][1])
        return found


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(sequence=steps)
def test_any_sequence_of_submissions_leaves_a_complete_history_and_a_well_defined_return(compiled, tmp_path_factory, sequence):
    template, models, tests = compiled.template, compiled.models, compiled.tests
    base = tmp_path_factory.mktemp("sequence")
    db, folder = base / "opcc.duckdb", base / "raw" / "returns" / PERIOD
    shutil.copyfile(template, db)
    folder.mkdir(parents=True)
    expected, disk = Expected(), dict.fromkeys(PATHS)
    hour_ago = time.time() - 3600
    # the compiled models name the catalog the profile attaches the build file as
    with duckdb.connect() as con:
        con.execute(f"attach '{db}' as warehouse")
        con.execute("use warehouse")
        for step, (action, name, what) in enumerate(sequence):
            path = folder / name
            if action in ("submit", "still being written"):
                path.write_text(content(what), encoding="utf-8")
                disk[name] = what
            elif action == "unreadable":
                path.write_text(UNREADABLE, encoding="utf-8")
                disk[name] = "unreadable"
            else:
                path.unlink(missing_ok=True)
                disk[name] = None
            for other in folder.iterdir():
                os.utime(other, (hour_ago, hour_ago))
            moving = set()
            if action == "still being written":
                os.utime(path, None)  # modified just now
                moving = {name}
            ingest_periods(con, base / "raw", [PERIOD], None, f"step {step}", now=START + timedelta(hours=step), settle=600.0 if moving else 0.0)
            build_models(con, models)
            expected.observe(step, disk, moving)
            check(con, tests, expected, sequence[: step + 1])


def check(con, tests, expected: Expected, so_far) -> None:
    for sql in tests:  # the models' own dbt tests
        failures = con.execute(f"select count(*) from ({sql}) as failing").fetchall()[0][0]
        assert failures == 0, (so_far, sql[:300])
    # History: every version of every path, numbered 1, 2, ... in the order seen.
    for name, versions in expected.versions.items():
        path = f"returns/{PERIOD}/{name}"
        history = con.execute(
            "select version, status, first_seen_at from audit.file_history where path = ? order by version", [path]
        ).fetchall()
        assert [v for v, *_ in history] == list(range(1, len(versions) + 1)), (so_far, history, versions)
        for (version, status, first_seen), (what, step, loaded) in zip(history, versions, strict=True):
            assert first_seen == START + timedelta(hours=step), (so_far, path, version)
            assert status == ("removed" if what == "removed" else "loaded" if loaded else "rejected"), (so_far, path, version, status)
            if status != "loaded":
                continue
            # Every readable version's rows are in exactly one place: read now, or kept.
            kept = con.execute(
                "select count(*) from audit.superseded_return_rows where path = ? and version = ?", [path, version]
            ).fetchall()[0][0]
            on_disk = con.execute(
                "select count(*) from raw.provider_returns r join raw.return_files f on f.path = r.source_file "
                "where r.source_file = ? and ? = (select max(h.version) from audit.file_history h where h.path = f.path and h.sha256 = f.sha256)",
                [path, version],
            ).fetchall()[0][0]
            assert sorted([kept, on_disk]) == [0, 5], (so_far, path, version, kept, on_disk)
    # The return in force: the latest readable content by evidence (here, when first seen).
    submissions = con.execute(
        "select path, version, submission_number, is_latest, is_in_force from intermediate.int_returns__submissions "
        "where contract_id = ? and period = ? order by submission_number",
        [CONTRACT, PERIOD],
    ).fetchall()
    assert [s[2] for s in submissions] == list(range(1, len(submissions) + 1)), so_far
    latest = [s for s in submissions if s[3]]
    spend = con.execute(
        "select value from intermediate.int_returns__latest_measures where contract_id = ? and period = ? and measure = 'spend_gbp'",
        [CONTRACT, PERIOD],
    ).fetchall()
    in_force = expected.in_force()
    assert {s[0] for s in submissions if s[4]} == set(in_force), (so_far, submissions, in_force)
    if not in_force:
        assert not latest and not spend, (so_far, submissions)
        return
    assert len(latest) == 1, (so_far, submissions)
    last_step = max(step for _, step in in_force.values())
    candidates = {CONTENTS[what] for what, step in in_force.values() if step == last_step}
    assert len(spend) == 1 and spend[0][0] in candidates, (so_far, submissions, in_force, spend)

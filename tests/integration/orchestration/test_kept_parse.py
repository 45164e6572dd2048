"""dbt's parse kept between processes gives a Manifest that compiles, not just one that loads."""

import shutil

from opcc.core import dbt_project as project
from opcc.core.settings import DBT_PROJECT_DIR


def test_a_kept_parse_compiles_refs_like_a_fresh_one(tmp_path):
    copy = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, copy, ignore=shutil.ignore_patterns("target", "logs", ".user.yml"))
    fresh = project.parsed_manifest(copy, force=True)
    # a Manifest that has compiled something carries its lookups: keep it in that state
    for lookup in ("ref_lookup", "source_lookup", "doc_lookup", "metric_lookup", "disabled_lookup"):
        assert getattr(fresh, lookup) is not None
    project._keep_manifest(copy, fresh)
    project._parsed.clear()  # as a new process would: only the files on disk remain

    kept = project.parsed_manifest(copy)
    assert kept is not fresh
    assert set(kept.nodes) == set(fresh.nodes)

    # refs resolve through the Manifest's lookups, which dbt's own pickling put in the wrong slots
    model = next(node for node in kept.nodes.values() if node.resource_type == "model" and node.refs)
    ref = model.refs[0]
    found = kept.ref_lookup.find(ref.name, ref.package, ref.version, kept)
    assert found is not None and found.name == ref.name

    run = project.run_dbt(
        ["compile", "--select", model.name], database=tmp_path / "scratch.duckdb", target_path=tmp_path / "target",
        project_dir=copy,
    )
    assert run.success, run.error

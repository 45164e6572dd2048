"""dbt unit tests: the attribution, RAG and cost-per-outcome arithmetic on made-up rows.

dbt reads the column types of a model's inputs from the database, so they run against a copy of
the bundled warehouse; the rows they test are their own (see the `_*__unit_tests.yml` files).
Refreshes leave them out: they test the models, not the data.
"""

import json

from opcc.core.dbt_project import manifest_path, run_dbt


def test_every_unit_test_passes(warehouse_copy, tmp_path):
    manifest = json.loads(manifest_path().read_text(encoding="utf-8"))
    defined = {test["name"] for test in manifest["unit_tests"].values()}
    assert {"priority_shares_split_by_role_and_add_up_to_one", "indicator_rag_against_pro_rata_target"} <= defined

    run = run_dbt(["test", "--select", "test_type:unit"], database=warehouse_copy, target_path=tmp_path / "target")

    results = {event["data"]["node_info"]["node_name"]: event["data"]["status"] for event in run.events}
    assert results == dict.fromkeys(defined, "pass"), run.error
    assert run.success

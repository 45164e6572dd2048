"""Start a new suite: its data asset, validation definition and checkpoint, created in the GE project.

`opcc new-suite` uses this; rules are then added to the suite's JSON file by hand
(see "To add a rule" in docs/data-quality.md).
"""

from __future__ import annotations

from pathlib import Path

from opcc.quality.runner import gx_context
from opcc.quality.suites import SUITES_DIR


def register_suite(live: Path, name: str, guards: str, data: str, layer: str, identify_rows_by: list[str]) -> Path:
    """Create a new, empty suite with its data asset, validation definition and checkpoint (get-or-create)."""
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction

    context = gx_context(live)
    try:
        source = context.data_sources.get("warehouse")
    except KeyError:
        source = context.data_sources.add_pandas("warehouse")
    try:
        asset = source.get_asset(name)
    except LookupError:
        asset = source.add_dataframe_asset(name)
    try:
        batch = asset.get_batch_definition("whole_table")
    except KeyError:
        batch = asset.add_batch_definition_whole_dataframe("whole_table")
    try:
        suite = context.suites.get(name)
    except gx.exceptions.DataContextError:
        suite = context.suites.add(
            gx.ExpectationSuite(
                name=name,
                meta={"guards": guards, "layer": layer, "data": data, "identify_rows_by": identify_rows_by},
            )
        )
    try:
        definition = context.validation_definitions.get(name)
    except gx.exceptions.DataContextError:
        definition = context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite))
    try:
        context.checkpoints.get(name)
    except gx.exceptions.DataContextError:
        context.checkpoints.add(
            gx.Checkpoint(
                name=name,
                validation_definitions=[definition],
                actions=[UpdateDataDocsAction(name="update_data_docs")],
                result_format={"result_format": "SUMMARY"},
            )
        )
    return SUITES_DIR / f"{name}.json"

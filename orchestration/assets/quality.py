"""Great Expectations suites as Dagster asset checks, one multi-check per suite on the asset it guards.

A suite's critical rules form a blocking check named after the suite: when
one fails, nothing downstream materialises and the warehouse is not
published. Its warning rules form a second, non-blocking check
(`<suite>_warnings`) whose failures are listed in the review pack.
"""

import dagster as dg

from ..quality import Suite, load_suites, record, validate
from ..resources import WarehouseResource


def _description(rules) -> str:
    return "; ".join(r.rule for r in rules)


def suite_check(suite: Suite) -> dg.AssetChecksDefinition:
    asset = dg.AssetKey(list(suite.guards))
    specs = [
        dg.AssetCheckSpec(
            name=suite.name,
            asset=asset,
            blocking=True,
            description=f"Great Expectations suite {suite.name} (blocking): "
            + _description([r for r in suite.rules if r.blocking]),
            metadata={"suite": suite.name, "layer": suite.layer},
        )
    ]
    if suite.has_warnings:
        specs.append(
            dg.AssetCheckSpec(
                name=f"{suite.name}_warnings",
                asset=asset,
                blocking=False,
                description=f"Great Expectations suite {suite.name} (warnings): "
                + _description([r for r in suite.rules if not r.blocking]),
                metadata={"suite": suite.name, "layer": suite.layer},
            )
        )

    @dg.multi_asset_check(specs=specs, name=f"gx_{suite.name}", can_subset=True)
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        with warehouse.get_connection() as con:
            outcome = validate(
                con, suite, warehouse.live_path, run_name=f"dagster run {context.run.run_id[:8]}", years=warehouse.refresh_years
            )
            record(con, outcome, context.run.run_id)
        for key in context.selected_asset_check_keys:
            blocking = key.name == suite.name
            failed = outcome.failed(blocking=blocking)
            ran = [o for o in outcome.outcomes if o.rule.blocking == blocking]
            yield dg.AssetCheckResult(
                asset_key=key.asset_key,
                check_name=key.name,
                passed=not failed,
                severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
                description="\n".join(o.describe() for o in (failed or ran)),
                metadata={
                    "rules": dg.MetadataValue.int(len(ran)),
                    "rules_failed": dg.MetadataValue.int(len(failed)),
                    "failed": dg.MetadataValue.md("\n".join(f"- {o.describe()}" for o in failed) or "none"),
                },
            )

    return _check


quality_checks = [suite_check(suite) for suite in load_suites()]

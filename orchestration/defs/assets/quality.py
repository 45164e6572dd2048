"""Great Expectations in the graph: the quality gate, and every other suite as an asset check.

The gate (`audit/held_back_versions`) runs the suites whose blocking rules hold
framework versions back (`meta.on_failure: hold_back`) on every version's
figures, and lists the versions held back with the rule and amounts. The marts
are then built without them: one commissioner's bad input never holds back
another's. A held-back version that was published before keeps its last
published figures: the gate puts its last published rows (kept in the ledger,
opcc/quality/last_published.py) back in place of the edited files' and
rebuilds the framework models, and the marts show it marked `held back since
<date>: <reason>`. Each such suite is a check on the gate, failing (as a
warning: the rest publishes) while it holds a version back.

Every other suite is a multi-check on the asset it guards: its critical rules
a blocking check named after the suite (nothing downstream materialises and
the warehouse is not published when one fails), its warning rules a second,
non-blocking check `<suite>_warnings`. The suites on the marts share one step
(`gx_marts`); each other suite has its own (`gx_<suite>`).
"""

import dagster as dg

from opcc.core.audit import record_withheld, utc_now
from opcc.core.dbt_project import run_dbt
from opcc.quality import Suite, held_back, last_published, load_suites, record, validate
from orchestration.defs.assets.dbt import CANDIDATES
from orchestration.defs.resources import WarehouseResource

GATE_KEY = dg.AssetKey(["audit", "held_back_versions"])
KEPT_KEY = dg.AssetKey(["audit", "kept_versions"])
SUITES = load_suites()
GATE_SUITES = [s for s in SUITES if s.holds_back]
CHECK_SUITES = [s for s in SUITES if not s.holds_back]
GATE_DEPS = sorted({dg.AssetKey(list(s.guards)) for s in GATE_SUITES}, key=lambda k: k.to_user_string())


def _rules(rules) -> str:
    return "; ".join(r.rule for r in rules)


def _run_name(context) -> str:
    return f"dagster run {context.run.run_id[:8]}"


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            GATE_KEY,
            deps=GATE_DEPS,
            group_name="quality",
            kinds={"duckdb"},
            description=(
                "The quality gate: framework versions held back from the marts because they failed a blocking rule "
                "(lines not adding up to a printed total, a priority not in the plan, an unreadable amount ...), with "
                "the rule and the amounts. The commissioner's previous version stays current; the rest of the "
                "warehouse publishes."
            ),
        ),
        # Written by the same step: which of the held-back versions show their last published rows.
        dg.AssetSpec(
            KEPT_KEY,
            deps=GATE_DEPS,
            group_name="quality",
            kinds={"duckdb"},
            description="Held-back versions published before, shown in the marts as last published (from the ledger).",
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            name=suite.name,
            asset=GATE_KEY,
            description=f"Great Expectations suite {suite.name}: " + _rules(suite.rules),
            metadata={"suite": suite.name, "guards": suite.asset_path},
        )
        for suite in GATE_SUITES
    ],
)
def held_back_versions(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    run_name = _run_name(context)
    with warehouse.get_connection() as con:
        outcomes = [validate(con, suite, warehouse.live_path, run_name=run_name) for suite in GATE_SUITES]
        for outcome in outcomes:
            record(con, outcome, context.run.run_id)
        rows = [v for outcome in outcomes for v in held_back(outcome)]
        kept = last_published.keep(con, warehouse.raw_path, _reasons(rows))
    if kept:
        kept = _rebuild_as_published(context, warehouse, kept)
    with warehouse.get_connection() as con:
        con.execute("delete from audit.held_back_versions")
        now = utc_now()
        for v in rows:
            con.execute(
                "insert into audit.held_back_versions values (?, ?, ?, ?, ?, ?, ?)",
                [v.commissioner_code, v.framework_version, v.suite, v.rule, v.detail, context.run.run_id, now],
            )
        last_published.write_kept(con, kept)
    versions = sorted({f"{v.commissioner_code} {v.framework_version}" for v in rows})
    shown = sorted(f"{k.commissioner_code} {k.framework_version}" for k in kept)
    for version in versions:
        as_published = " (its last published figures stay in the marts)" if version in shown else ""
        context.log.warning(
            f"framework version {version} held back: it failed a blocking rule (see audit.held_back_versions){as_published}"
        )
    yield dg.MaterializeResult(
        asset_key=GATE_KEY,
        metadata={
            "versions_held_back": dg.MetadataValue.int(len(versions)),
            "held_back": dg.MetadataValue.text(", ".join(versions) or "none"),
            "shown_as_last_published": dg.MetadataValue.text(", ".join(shown) or "none"),
        },
    )
    yield dg.MaterializeResult(asset_key=KEPT_KEY, metadata={"versions": dg.MetadataValue.int(len(kept))})
    yield from (_gate_check(outcome) for outcome in outcomes)


def _reasons(rows) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], list[str]] = {}
    for v in rows:
        found.setdefault((v.commissioner_code, v.framework_version), []).append(v.rule + (f": {v.detail}" if v.detail else ""))
    return {key: "; ".join(dict.fromkeys(reasons)) for key, reasons in found.items()}


def _rebuild_as_published(context, warehouse: WarehouseResource, kept: list) -> list:
    """The framework models again, now holding the kept versions' last published rows; a version whose
    last published rows fail today's rules too (a plan or a list changed since) is held back whole."""
    run = run_dbt(
        ["run", "--select", CANDIDATES], database=warehouse.build_path, target_path=warehouse.dbt_target_path
    )
    if not run.success:
        raise dg.Failure(f"dbt could not rebuild the framework models with the last published versions: {run.error}")
    with warehouse.get_connection() as con:
        still = {
            (v.commissioner_code, v.framework_version)
            for suite in GATE_SUITES
            for v in held_back(validate(con, suite, warehouse.live_path))
        }
    for k in kept:
        if (k.commissioner_code, k.framework_version) in still:
            context.log.warning(f"{k.commissioner_code} {k.framework_version}: its last published figures fail today's rules too")
    return [k for k in kept if (k.commissioner_code, k.framework_version) not in still]


def _gate_check(outcome) -> dg.AssetCheckResult:
    versions = held_back(outcome)
    failed = outcome.failed(blocking=True)
    warned = outcome.failed(blocking=False)
    return dg.AssetCheckResult(
        check_name=outcome.suite.name,
        passed=not failed and not warned,
        severity=dg.AssetCheckSeverity.WARN,
        description="\n".join(o.describe() for o in (failed + warned or outcome.outcomes)),
        metadata={
            "versions_held_back": dg.MetadataValue.text(
                ", ".join(sorted({f"{v.commissioner_code} {v.framework_version}" for v in versions})) or "none"
            ),
            "rules_failed": dg.MetadataValue.int(len(failed)),
            "warnings": dg.MetadataValue.int(len(warned)),
        },
    )


def _specs(suite: Suite) -> list[dg.AssetCheckSpec]:
    asset = dg.AssetKey(list(suite.guards))
    specs = []
    if suite.has_blocking:
        specs.append(
            dg.AssetCheckSpec(
                name=suite.name,
                asset=asset,
                blocking=True,
                description=f"Great Expectations suite {suite.name} (blocking): " + _rules([r for r in suite.rules if r.blocking]),
                metadata={"suite": suite.name, "layer": suite.layer},
            )
        )
    if suite.has_warnings:
        specs.append(
            dg.AssetCheckSpec(
                name=f"{suite.name}_warnings",
                asset=asset,
                # Waited for, never stopping anything (severity WARN): what is downstream, the review
                # pack above all, then reads every rule's result.
                blocking=True,
                description=f"Great Expectations suite {suite.name} (warnings): "
                + _rules([r for r in suite.rules if not r.blocking]),
                metadata={"suite": suite.name, "layer": suite.layer},
            )
        )
    return specs


def suite_checks(name: str, suites: list[Suite]) -> dg.AssetChecksDefinition:
    """The suites' checks, run by one step: each suite a blocking check named after it and a
    `<suite>_warnings` check, on the asset it guards."""
    by_check = {spec.name: suite for suite in suites for spec in _specs(suite)}

    @dg.multi_asset_check(specs=[spec for suite in suites for spec in _specs(suite)], name=name, can_subset=True)
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        selected = context.selected_asset_check_keys
        for suite in suites:
            keys = [key for key in selected if by_check.get(key.name) is suite]
            if keys:
                yield from _suite_results(context, warehouse, suite, keys)

    return _check


def _suite_results(context, warehouse: WarehouseResource, suite: Suite, keys) -> list[dg.AssetCheckResult]:
    with warehouse.get_connection() as con:
        outcome = validate(con, suite, warehouse.live_path, run_name=_run_name(context), years=warehouse.refresh_years)
        record(con, outcome, context.run.run_id)
        held = _hold_back_commissioners(context, con, warehouse, suite, outcome)
    results = []
    for key in keys:
        blocking = key.name == suite.name
        failed = outcome.failed(blocking=blocking)
        ran = [o for o in outcome.outcomes if o.rule.blocking == blocking]
        described = [o.describe() for o in (failed or ran)]
        if blocking and held:
            described += [f"held back {code} (its last published figures stay): {why}" for code, why in sorted(held.items())]
        results.append(
            dg.AssetCheckResult(
                asset_key=key.asset_key,
                check_name=key.name,
                passed=not failed,
                # One commissioner's failing rows hold that commissioner back; the rest publishes.
                severity=dg.AssetCheckSeverity.ERROR if blocking and not held else dg.AssetCheckSeverity.WARN,
                description="\n".join(described),
                metadata={
                    "rules": dg.MetadataValue.int(len(ran)),
                    "rules_failed": dg.MetadataValue.int(len(failed)),
                    "failed": dg.MetadataValue.md("\n".join(f"- {o.describe()}" for o in failed) or "none"),
                    "commissioners_held_back": dg.MetadataValue.text(", ".join(sorted(held)) or "none"),
                },
            )
        )
    return results


def _hold_back_commissioners(context, con, warehouse: WarehouseResource, suite: Suite, outcome) -> dict[str, str]:
    """A blocking rule on the marts broken by some commissioners' rows only holds those commissioners
    back: their rows go back to the last published warehouse's, named in audit.withheld_outputs, and
    the rest publishes. A failure naming no commissioner, or every one, still stops the refresh."""
    if suite.guards[0] != "marts":
        return {}
    output = f"figures ({suite.name})"
    held: dict[str, str] = {}
    if outcome.failed(blocking=True):
        held = last_published.failing_commissioners(con, outcome)
        everyone = {code for (code,) in con.execute("select commissioner_code from marts.dim_commissioner").fetchall()}
        if not held or everyone <= set(held):
            held = {}
    if held:
        last_published.restore_commissioners(con, warehouse.live_path, sorted(held))
        for code, why in sorted(held.items()):
            context.log.warning(f"{code} held back by {suite.name} (its last published figures stay): {why}")
    record_withheld(con, output, [(code, None, why) for code, why in sorted(held.items())], context.run.run_id)
    return held


# The suites on the marts run in one step (every mart is built by the same dbt step, so none waits
# longer for it): a step costs Dagster its launch and events. The others guard assets built by
# different steps, and each runs as soon as its asset is there.
MARTS_SUITES = [s for s in CHECK_SUITES if s.guards[0] == "marts"]
quality_checks = ([suite_checks("gx_marts", MARTS_SUITES)] if MARTS_SUITES else []) + [
    suite_checks(f"gx_{suite.name}", [suite]) for suite in CHECK_SUITES if suite not in MARTS_SUITES
]

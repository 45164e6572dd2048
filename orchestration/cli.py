"""The `opcc` command: refresh the warehouse and ask it questions.

Every subcommand that uses the warehouse or the raw folder takes
`--warehouse PATH` and `--raw DIR`; without them it uses OPCC_WAREHOUSE and
OPCC_RAW, then `warehouse/opcc.duckdb` and `raw/`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .settings import apply_offline_environment, raw_dir, warehouse_path

apply_offline_environment()

warehouse_option = click.option(
    "--warehouse",
    "warehouse",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Warehouse file (default: $OPCC_WAREHOUSE, else warehouse/opcc.duckdb).",
)
raw_option = click.option(
    "--raw",
    "raw",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of input files (default: $OPCC_RAW, else raw/).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Performance-monitoring warehouse for a police and crime commissioner's commissioning budget."""


@main.command()
@warehouse_option
@raw_option
@click.option("--wait", "wait_seconds", type=float, default=0.0, show_default=True, help="Seconds to wait for another refresh to finish.")
@click.option("--quiet", is_flag=True, help="No progress lines, only the summary.")
def refresh(warehouse: Path | None, raw: Path | None, wait_seconds: float, quiet: bool) -> None:
    """Rebuild the warehouse from the raw folder and publish it if every blocking check passes."""
    from .refresh import run_refresh

    live = warehouse_path(warehouse)
    click.echo(f"Refreshing {live} from {raw_dir(raw)}", err=True)
    outcome = run_refresh(warehouse, raw, wait_seconds=wait_seconds, progress=not quiet)
    _print_summary(outcome)
    sys.exit(0 if outcome.success else 1)


def _print_summary(outcome) -> None:
    passed = sum(1 for c in outcome.checks if c.passed)
    failed = len(outcome.checks) - passed
    if outcome.success:
        rows = {schema: 0 for schema, _, _ in outcome.tables}
        tables = {schema: 0 for schema, _, _ in outcome.tables}
        for schema, _, size in outcome.tables:
            rows[schema] += size
            tables[schema] += 1
        click.echo(f"\nWarehouse published: {outcome.warehouse}")
        for schema in sorted(rows):
            click.echo(f"  {schema:<8} {tables[schema]:>3} tables {rows[schema]:>10,} rows")
        click.echo(f"  checks   {passed} passed, {failed} failed ({len(outcome.warnings)} warnings)")
        for warning in outcome.warnings:
            click.echo(f"  warning: {warning.asset}:{warning.check} {warning.description.splitlines()[0] if warning.description else ''}")
        click.echo(f"  took     {outcome.seconds:.1f} s")
    else:
        click.echo(f"\nRefresh failed: {outcome.reason}", err=True)
        if outcome.checks:
            click.echo(f"  checks   {passed} passed, {failed} failed", err=True)
        click.echo(f"  the warehouse at {outcome.warehouse} was not changed ({outcome.seconds:.1f} s)", err=True)


@main.command()
@warehouse_option
@click.argument("sql")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def query(warehouse: Path | None, sql: str, fmt: str) -> None:
    """Run a read-only SQL query against the published warehouse."""
    from .queries import run_read_only_query

    try:
        text = run_read_only_query(warehouse_path(warehouse), sql, fmt)
    except (FileNotFoundError, PermissionError, ValueError) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    click.echo(text)


if __name__ == "__main__":
    main()

# size: one click command per opcc verb, each a few lines of options and a call into the library; the help text is the CLI reference.
"""The `opcc` command: refresh the warehouse and ask it questions.

Every subcommand that uses the warehouse or the raw folder takes
`--warehouse PATH` and `--raw DIR`; without them it uses OPCC_WAREHOUSE and
OPCC_RAW, then `warehouse/opcc.duckdb` and `raw/`.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import warnings
from collections import Counter
from pathlib import Path

import click

from opcc.core import warehouse as wh
from opcc.core.arguments import CODE, ID, OUT_FILE, OUT_FOLDER, PORT, SECONDS
from opcc.core.settings import apply_offline_environment, raw_dir, warehouse_path
from opcc.core.settings import commissioner as commissioner_code
from opcc.core.timings import describe as describe_stages

apply_offline_environment()
# Dagster flags some of the APIs used here as beta; a user of the command need not see that.
warnings.filterwarnings("ignore", message=r".*(is currently in beta|is currently in preview).*")

class PeriodType(click.ParamType):
    """A reporting period as a person types it ('2016-17 q4', '2016-17Q4', '16/17 Q4'), passed on in
    the one way periods are written ('2016-17 Q4'); a text that means no one period is refused."""

    name = "period"

    def convert(self, value, param, ctx):
        from opcc.core.periods import read_typed

        try:
            return str(read_typed(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


PERIOD = PeriodType()

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


def run() -> None:
    """The `opcc` command as installed: `main`, then leave without the interpreter's teardown.

    At teardown DuckDB's Python binding reports dozens of lines of "nanobind: leaked" objects that
    dbt-duckdb and Great Expectations still hold; they mean nothing to a user and bury the summary.
    Exit handlers still run and the output is flushed first.
    """
    import atexit
    import os

    try:
        main(standalone_mode=True)
        code = 0
    except (wh.WarehouseUnreadable, wh.WarehouseInUse) as unreadable:  # any command that reads the live warehouse
        click.echo(f"error: {unreadable}", err=True)
        code = 2
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        if not isinstance(stop.code, int | None):
            click.echo(stop.code, err=True)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    os._exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="opcc-warehouse", prog_name="opcc", message="%(prog)s %(version)s")
def main() -> None:
    """Performance-monitoring warehouse for a police and crime commissioner's commissioning budget."""


@main.command()
@warehouse_option
@raw_option
@click.option(
    "--period",
    "periods",
    type=PERIOD,
    multiple=True,
    help="Refresh only this reporting period's returns (repeatable), e.g. --period '2016-17 Q2'. Default: everything.",
)
@click.option("--wait", "wait_seconds", type=SECONDS, default=0.0, show_default=True, help="Seconds to wait for another refresh to finish.")
@click.option("--quiet", is_flag=True, help="No progress lines, only the summary.")
@click.option("--verbose", is_flag=True, help="Also print the libraries' warnings (by default they go to the refresh log).")
@click.option("--timings", "timings_file", type=OUT_FILE, default=None,
              help="Also write where the time went, stage by stage, to this JSON file.")
def refresh(
    warehouse: Path | None, raw: Path | None, periods: tuple[str, ...], wait_seconds: float, quiet: bool, verbose: bool,
    timings_file: Path | None,
) -> None:
    """Rebuild the warehouse from the raw folder and publish it if every blocking check passes."""
    from opcc.core.timings import process_age
    from orchestration.commands.library_logs import kept_from_terminal
    from orchestration.commands.refresh import run_refresh

    started_ago = process_age()  # Python, the imports and the command line, before any work
    live = warehouse_path(warehouse)
    scope = f"periods {', '.join(periods)}" if periods else "everything"
    click.echo(f"Refreshing {live} from {raw_dir(raw)} ({scope})", err=True)
    try:
        with kept_from_terminal(verbose) as library_logs:
            outcome = run_refresh(warehouse, raw, periods=list(periods) or None, wait_seconds=wait_seconds, progress=not quiet)
    except Exception as error:
        # A full or read-only disk met anywhere (DuckDB, the Dagster instance's SQLite, a pack) is
        # one line; anything else is a defect and keeps its traceback.
        if isinstance(error, OSError) or wh.is_disk_error(error):
            _disk_failure(live, error)
        raise
    if library_logs.count:
        # The libraries' deprecation and configuration notices are for whoever maintains the
        # project, not for the analyst running the refresh: they are kept with dbt's log.
        log = wh.refresh_log_path(live)
        library_logs.append_to(log)
        _say(f"  {library_logs.count} library warning(s) and notice(s) written to {log} (--verbose prints them)", err=True, indent=4)
    if not outcome.success and wh.is_disk_error(outcome.reason):
        _disk_failure(live, outcome.reason)
    if started_ago is not None:
        outcome.seconds += started_ago
        outcome.stages = {**outcome.stages, "start-up": round(outcome.stages.get("start-up", 0.0) + started_ago, 3)}
    unwritten = None
    if timings_file:
        try:
            timings_file.parent.mkdir(parents=True, exist_ok=True)
            timings_file.write_text(json.dumps({"seconds": outcome.seconds, "stages": outcome.stages}, indent=2), encoding="utf-8")
        except OSError as error:  # the refresh's own summary is still printed, and the exit says what was not written
            unwritten = f"error: the timings were not written to {timings_file} ({error.strerror or error})"
    _print_summary(outcome)
    if unwritten:
        click.echo(unwritten, err=True)
        sys.exit(outcome.exit_code or 1)
    sys.exit(outcome.exit_code)


def _disk_failure(live: Path, error: BaseException | str) -> None:
    """A full or read-only disk: one line, the partial build gone, the live warehouse as it was."""
    wh.discard_build(wh.build_path(live))
    text = str(error)
    if "No space left" in text or "Disk quota" in text or "File too large" in text or "disk is full" in text:
        why = "the disk is full"
    elif "Read-only file system" in text or "readonly database" in text:
        why = "the disk is read-only"
    elif "Permission denied" in text:
        why = "this user may not write there"
    else:
        why = (getattr(error, "strerror", None) or text.splitlines()[0] if text else "the disk cannot be written").rstrip(".")
    click.echo(
        f"Refresh failed: cannot write beside the warehouse in {live.parent} ({why}); the live warehouse is unchanged "
        "and the partial build was removed: free some space (or make the folder writable) and refresh again",
        err=True,
    )
    sys.exit(1)


def _progress(text: str) -> None:
    """What a long step is doing, for a person watching a terminal (scripts and logs get only the result)."""
    if sys.stderr.isatty():
        click.echo(text, err=True)


SUMMARY_WIDTH = 100  # the summary is read at a glance: short lines, whatever the terminal


def _say(text: str, err: bool = False, indent: int = 11) -> None:
    """One statement of the summary, wrapped at the summary's width (or a narrower terminal); lines
    after the first are indented under its text."""
    import shutil
    import textwrap

    width = min(SUMMARY_WIDTH, shutil.get_terminal_size((SUMMARY_WIDTH, 24)).columns)
    lead = len(text) - len(text.lstrip(" "))
    # A command to run next stays on one line, to be copied: its spaces do not break (textwrap
    # breaks only at ASCII whitespace).
    whole = _COMMAND.sub(lambda m: m.group(0).replace(" ", "\u00a0"), text.strip())
    lines = textwrap.wrap(
        whole, width=width, initial_indent=" " * lead, subsequent_indent=" " * max(indent, lead),
        break_long_words=False, break_on_hyphens=False,  # a path stays whole, to be copied
    )
    click.echo("\n".join(lines).replace("\u00a0", " ") if lines else "", err=err)


_COMMAND = re.compile(r"\bopcc [a-z][a-z-]*(?: --?[a-z][a-z-]*(?: (?!-)[^\s()]+)?)*")


def _print_summary(outcome) -> None:
    from opcc.quality import load_suites

    suites = {s.name for s in load_suites()} | {f"{s.name}_warnings" for s in load_suites()}
    # Quality rules are counted per rule, as the review pack and `opcc check` count them; dbt tests
    # and the file checks are the other checks of the run.
    others = [c for c in outcome.checks if c.check not in suites]
    others_failed = sum(1 for c in others if not c.passed)
    rules = f"  rules    {outcome.rule_counts.line()}" if outcome.rule_counts else None
    tests = f"  tests    {len(others) - others_failed} dbt tests and file checks passed, {others_failed} failed"
    if outcome.set_aside:
        click.echo(
            f"\nThe live warehouse could not be read (damaged): kept aside as {outcome.set_aside}, and rebuilt in full "
            "from the raw folder and its submission ledger.",
            err=True,
        )
    if outcome.success:
        rows = {schema: 0 for schema, _, _ in outcome.tables}
        tables = {schema: 0 for schema, _, _ in outcome.tables}
        for schema, _, size in outcome.tables:
            rows[schema] += size
            tables[schema] += 1
        click.echo("")
        _say(f"Warehouse published: {outcome.warehouse}")
        for schema in sorted(rows):
            click.echo(f"  {schema:<8} {tables[schema]:>3} tables {rows[schema]:>10,} rows")
        if rules:
            _say(rules)
        _say(tests)
        for warning in outcome.warnings:
            for line in (warning.description or warning.check).splitlines():
                _say(f"  warning  {line.lstrip('✗ ')}")
        if outcome.data_docs:
            _say(f"  Data Docs {outcome.data_docs}")
        _say(f"  took     {outcome.seconds:.1f} s ({describe_stages(outcome.stages)})")
        if outcome.packs:
            click.echo("Review packs built:")
            for path in outcome.packs:
                click.echo(f"  {path}")
        if outcome.packs_unchanged:
            _say(f"Review packs unchanged (their figures are those of the published packs): {outcome.packs_unchanged}")
        elif not outcome.packs:
            _say("Review packs built: none (no returns, or no commissioner with a current framework for their year)")
        for version in outcome.held_back:
            click.echo("", err=True)
            where = (
                "the marts, open data and packs show it as last published" if version.last_published
                else "it is not in the marts (the commissioner's previous version stays current)"
            )
            _say(
                f"Held back: {version.commissioner_code} {version.framework_version} failed a blocking rule and {where}: "
                f"{version.reasons}",
                err=True, indent=2,
            )
        for code, version, output, reason in outcome.withheld:
            click.echo(
                f"\nWithheld: the {output} of {f'{code} {version}'.strip()} was not written (its last published one stays; every other "
                f"commissioner's was written): {reason}",
                err=True,
            )
    else:
        # The reason is one line, whatever its length: the one line a user's mistake gets.
        click.echo(f"\nRefresh failed: {outcome.reason}", err=True)
        for check in outcome.failed_blocking:
            for line in (check.description or check.check).splitlines():
                if line.startswith("✗"):
                    _say(f"  failed   {check.check}: {line.lstrip('✗ ')}", err=True)
        for rule in outcome.failed_rules[1:]:  # the first is the reason's; a dbt test's line names its row
            if rule.startswith("dbt test on "):
                _say(f"  failed   {rule}", err=True)
        if rules:
            _say(rules, err=True)
        if outcome.checks:
            _say(tests, err=True)
        if outcome.data_docs:
            _say(f"  Data Docs {outcome.data_docs}", err=True)
        _say(f"  the warehouse at {outcome.warehouse} was not changed, and no review pack was built ({outcome.seconds:.1f} s)",
             err=True, indent=4)


from opcc.portal.cli import portal as portal_group  # noqa: E402  (Django is imported only when it runs)

main.add_command(portal_group)


@main.command()
@warehouse_option
def status(warehouse: Path | None) -> None:
    """The warehouse at a glance: when published and from what, the last refresh, this quarter's returns, the schedule."""
    from orchestration.commands.status import status as warehouse_status

    live = warehouse_path(warehouse)
    for line in warehouse_status(live).splitlines():  # each line wrapped to the summary's width, under its own text
        _say(line, indent=len(line) - len(line.lstrip(" ")) + 2)
    # A script or a monitor that asks for the status learns there is nothing to report on: no
    # warehouse, or one that cannot be read (damaged, or held by another writer).
    if not live.exists() or _unreadable(live):
        sys.exit(1)


def _unreadable(live: Path) -> bool:
    try:
        return wh.is_unreadable(live) is not None
    except wh.WarehouseInUse:
        return True


@main.command()
@warehouse_option
@raw_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address the UI listens on.")
@click.option("--port", default=3000, show_default=True, type=PORT, help="Port the UI listens on.")
def serve(warehouse: Path | None, raw: Path | None, host: str, port: int) -> None:
    """The Dagster UI and the daemon (schedules and sensors) on the warehouse's instance; Ctrl-C stops both."""
    from orchestration.commands.serve import serve as run_service

    sys.exit(run_service(warehouse_path(warehouse), raw_dir(raw), host, port, say=click.echo))


@main.command()
@warehouse_option
@click.option("--out", "out_dir", type=OUT_FOLDER, default=None,
              help="Folder for the page, with the guide in its guide/ (default: <warehouse>.docs beside the warehouse).")
@click.option("--serve", "serve_it", is_flag=True, help="Also serve it on localhost until Ctrl-C.")
@click.option("--port", default=8080, show_default=True, type=PORT)
def docs(warehouse: Path | None, out_dir: Path | None, serve_it: bool, port: int) -> None:
    """The dbt documentation of the live warehouse (models, lineage, every column), as one offline page, and the guide beside it."""
    from orchestration.commands.docs_guide import build as build_guide
    from orchestration.commands.docs_site import GUIDE_FOLDER, generate, serve

    _progress(f"Writing the dbt documentation of {warehouse_path(warehouse)} (dbt reads every model: about 10 s)...")
    try:
        index = generate(warehouse_path(warehouse), out_dir)
        guide = build_guide(index.parent / GUIDE_FOLDER)
    except (FileNotFoundError, RuntimeError) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    click.echo(f"Wrote {index}")
    click.echo(f"Wrote {guide} (the project's guide)")
    if serve_it:
        serve(index.parent, "127.0.0.1", port, say=click.echo)


@main.command()
@warehouse_option
@click.argument("sql")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--timeout", "timeout", type=SECONDS, default=60.0, show_default=True,
              help="Stop the query after this many seconds (0: no limit).")
@click.option("--max-rows", "max_rows", type=click.IntRange(min=0), default=None,
              help="Print at most this many rows (default 1000 for a table; csv and json print every row).")
def query(warehouse: Path | None, sql: str, fmt: str, timeout: float, max_rows: int | None) -> None:
    """Run a read-only SQL query against the published warehouse."""
    import duckdb

    from opcc.core.queries import QueryTimeout, describe_query_error, run_read_only_query

    try:
        text = run_read_only_query(warehouse_path(warehouse), sql, fmt, timeout=timeout or None, max_rows=max_rows)
    except (FileNotFoundError, PermissionError, ValueError, QueryTimeout, duckdb.Error) as error:
        for line in describe_query_error(error, warehouse_path(warehouse)):
            click.echo(line, err=True)
        sys.exit(2)
    click.echo(text)


@main.command()
@warehouse_option
@click.option("--contract", "contract_id", type=ID, required=True, help="Contract id, e.g. LEI-022.")
@click.option("--period", type=PERIOD, required=True, help="Reporting period, e.g. '2016-17 Q2'.")
@click.option("--out", type=OUT_FILE, default=None, help="Workbook to write.")
def template(warehouse: Path | None, contract_id: str, period: str, out: Path | None) -> None:
    """Write a return workbook for one contract and quarter, ready for the provider to fill in."""
    from opcc.ingest.return_tools import TemplateError, make_template

    try:
        path = make_template(warehouse_path(warehouse), contract_id, period, out)
    except (TemplateError, ValueError, FileNotFoundError) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    click.echo(f"Wrote {path}")


@main.command("validate-return")
@raw_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--period", type=PERIOD, default=None, help="The period the return is for (default: its folder's name, if a period).")
@click.option("--max-problems", "max_problems", type=click.IntRange(min=0), default=200, show_default=True,
              help="Print at most this many problems by row and column, then how many more each column has (0: every one).")
def validate_return(raw: Path | None, file: Path, period: str | None, max_problems: int) -> None:
    """Check a return before sending it: every problem with its row and column; exit 1 if any."""
    from opcc.ingest.personal_data import printable
    from opcc.ingest.return_tools import validate_file

    def say(line: str) -> None:  # one line each, whatever control characters the file or its name hold
        click.echo(printable(line))

    try:
        check = validate_file(file, raw_dir(raw), period)
    except (FileNotFoundError, OSError) as error:
        click.echo(printable(f"error: {error}"), err=True)
        sys.exit(2)
    if not check.report.read:
        say(f"{file}: cannot be read: {check.report.reason}")
        sys.exit(1)
    for warning in check.report.warnings:
        say(f"{file}: warning: {warning}")
    shown = check.problems if not max_problems else check.problems[:max_problems]
    for problem in shown:
        say(f"{file} row {problem['row_number']}, column {problem['column_name']}: {problem['reason']}")
    if len(shown) < len(check.problems):
        # A file wrong on every row would print a line a row: the rest are counted by column instead.
        more = Counter(problem["column_name"] for problem in check.problems[len(shown):])
        by_column = ", ".join(f"{column} {count:,}" for column, count in sorted(more.items(), key=lambda item: (-item[1], str(item[0]))))
        say(f"{file}: and {len(check.problems) - len(shown):,} more problem(s), by column: {by_column} (--max-problems 0 prints every one)")
    if check.problems:
        say(f"{len(check.problems)} problem(s); {check.rows_ok} of {check.report.rows_read} rows would load")
        sys.exit(1)
    say(f"{file}: OK, {check.rows_ok} rows, no problems")


@main.command()
@warehouse_option
def check(warehouse: Path | None) -> None:
    """Run every Great Expectations checkpoint against the published warehouse and rebuild Data Docs."""
    from opcc.quality import data_docs_index, run_checkpoints, summarise

    live = warehouse_path(warehouse)
    try:
        outcomes = run_checkpoints(live)
    except FileNotFoundError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    blocking = 0
    for outcome in outcomes:
        for result in outcome.outcomes:
            if not result.passed:
                label = "BLOCKING" if result.rule.blocking else "warning "
                blocking += result.rule.blocking
                # The same sentence as the refresh summary and the pack: the rows, by name.
                _say(f"{label} {result.describe().lstrip('✗ ')}", indent=9)
    _say(f"{len(outcomes)} suites, {summarise(outcomes).line()}; Data Docs {data_docs_index(live)}", indent=2)
    sys.exit(1 if blocking else 0)


@main.command()
@warehouse_option
@click.option("--period", type=PERIOD, required=True, help="Reporting period, e.g. '2016-17 Q2'.")
@click.option("--out", "out_dir", type=OUT_FOLDER, default=None,
              help="Folder for the pack (default: reports/<period>/<commissioner> beside the warehouse).")
@click.option("--commissioner", "code", type=CODE, default=None, help="Commissioner code (default: the default_commissioner setting).")
@click.option("--pdf", "pdf", is_flag=True, help="Also print the review to PDF (A4 landscape) with headless Chromium.")
@click.option("--appendix", "appendix", is_flag=True, help="With --pdf: also print the appendix (every service's cost, a page per contract).")
def report(warehouse: Path | None, period: str, out_dir: Path | None, code: str | None, pdf: bool, appendix: bool) -> None:
    """Write the quarterly performance review pack (HTML with charts, and XLSX; PDF with --pdf) for a period."""
    from opcc.core.queries import connect_locked
    from opcc.core.warehouse import reports_dir
    from opcc.quality import data_docs_index
    from opcc.reporting.pack import build_pack
    from opcc.reporting.pdf import PdfUnavailable, print_pdf

    if appendix and not pdf:
        raise click.UsageError("--appendix is part of the PDF: use it with --pdf")
    live = warehouse_path(warehouse)
    code = commissioner_code(code)
    out_dir = out_dir or reports_dir(live) / period / code
    docs = data_docs_index(live)
    _progress(f"Building the review pack for {code} {period}...")
    try:
        with connect_locked(live) as con:
            html_path, xlsx_path = build_pack(con, period, out_dir, code, data_docs=docs if docs.exists() else None)
    except (FileNotFoundError, ValueError) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    click.echo(f"Wrote {html_path}\nWrote {xlsx_path}")
    if pdf:
        _progress("Printing it to PDF with headless Chromium" + (" (with the appendix)..." if appendix else "..."))
        try:
            click.echo(f"Wrote {print_pdf(html_path, appendix=appendix)}")
        except PdfUnavailable as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(2)


@main.command()
@warehouse_option
@click.option("--commissioner", "code", type=CODE, default=None, help="Commissioner code (default: the default_commissioner setting).")
@click.option("--version", "version", default=None, help="Framework version, e.g. '2016-17 v2' (default: the commissioner's current one).")
@click.option("--out", "out_dir", type=OUT_FOLDER, default=None,
              help="Folder for the files (default: open-data/<commissioner>/<version> in the warehouse's outputs folder).")
def publish(warehouse: Path | None, code: str | None, version: str | None, out_dir: Path | None) -> None:
    """Publish a framework version's grants (360Giving JSON and workbook, grants register) and contracts register."""
    import duckdb

    from opcc.core.queries import connect_locked
    from opcc.opendata.build import PublishFailed, PublishRefused, resolve_version, version_slug
    from opcc.opendata.build import publish as write_open_data
    from opcc.opendata.guard import beside_published

    live = warehouse_path(warehouse)
    code = commissioner_code(code)
    _progress(f"Publishing the open data of {code} (writing the files, then checking them as a reader would)...")
    try:
        with connect_locked(live) as con:
            if out_dir is None:
                out_dir = wh.open_data_dir(live) / code / version_slug(resolve_version(con, code, version)[1])
            publication = write_open_data(con, code, version, out_dir, guard=beside_published(live))
    except (FileNotFoundError, PublishRefused) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    except PublishFailed as failed:
        for problem in failed.problems:
            click.echo(f"not published: {problem}", err=True)
        sys.exit(1)
    except duckdb.CatalogException as error:
        click.echo(f"error: the warehouse at {live} has no open data tables ({str(error).splitlines()[0]}); "
                   "run `opcc refresh` with this version of the project first", err=True)
        sys.exit(2)
    for line in publication.summary():
        click.echo(line)


@main.command("cost-per-outcome")
@warehouse_option
@click.option("--priority", type=CODE, default=None, help="Strategic priority, e.g. SP9.")
@click.option("--period", type=PERIOD, default=None, help="Reporting period, e.g. '2016-17 Q2' (default: the latest).")
@click.option("--ytd", is_flag=True, help="Year to date up to the period, instead of the quarter alone.")
@click.option("--indicator", type=CODE, default=None, help="Outcome indicator code, e.g. VIC_COPE.")
@click.option("--commissioner", "code", type=CODE, default=None, help="Commissioner code (default: the default_commissioner setting).")
@click.option("--by", "by", type=click.Choice(["contract", "priority", "theme", "mechanism", "national-area"]),
              default="priority", show_default=True,
              help="Per service (contract: spend / count, as commissioners publish it), or rolled up.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def cost_per_outcome(
    warehouse: Path | None, priority: str | None, period: str | None, ytd: bool, indicator: str | None, code: str | None,
    by: str, fmt: str,
) -> None:
    """What each unit cost: per service (--by contract) spend / count; rolled up by priority, theme, mechanism or
    national outcome area, attributed spend / attributed counts (a weighted mean of the services' costs)."""
    from opcc.core.queries import cost_per_outcome_query

    try:
        text = cost_per_outcome_query(warehouse_path(warehouse), priority, period, ytd, indicator, fmt, code, by=by)
    except (FileNotFoundError, ValueError) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    click.echo(text)


@main.command("import-framework")
@raw_option
@click.argument("document", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--version", "version", default=None, help="Version name, e.g. '2016-17 v2' (default: the next for its year).")
@click.option("--commissioner", type=CODE, default=None, help="Commissioner code (default: the default_commissioner setting).")
@click.option("--out", type=OUT_FOLDER, default=None, help="Folder for the CSVs (default: raw/framework/<code>-<version>).")
@click.option("--source-name", default=None, help="How the document is named in the warehouse (default: its file name).")
@click.option("--allow-partial", is_flag=True, help="Write what was read with confidence even if some rows were flagged.")
def import_framework_command(
    raw: Path | None, document: Path, version: str | None, commissioner: str, out: Path | None,
    source_name: str | None, allow_partial: bool,
) -> None:
    """Read a published commissioning framework (text extracted from PDF or Word) into the raw CSVs."""
    from opcc.framework_import.importer import run_import

    outcome = run_import(
        document, raw_dir(raw), version=version, commissioner=commissioner_code(commissioner), out=out,
        allow_partial=allow_partial, source_name=source_name,
    )
    for line in outcome.lines:
        click.echo(line)
    sys.exit(outcome.exit_code)


@main.command("import-allocations")
@raw_option
@click.argument("register", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--commissioner", "code", required=True, help="Commissioner code, 2 to 5 capital letters (the prefix of its contract ids).")
@click.option("--version", "version", required=True, help="The framework version, e.g. '2017-18 v1'.")
@click.option("--plan", "plan_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="The Police and Crime Plan (CSV kind,code,name,parent_code,national_code); needed the first time, "
              "and when a new plan starts. Later versions use the plan in force.")
@click.option("--name", default=None, help="The commissioner's name, when the commissioner is new.")
@click.option("--printed-total", default=None, help="The document's grand total, checked against the rows.")
@click.option("--accept-difference", default=None, help="Why a printed total differs from the rows (recorded, shown in the pack).")
@click.option("--stream", default=None, help="The funding stream the register is of (raw/reference/funding_streams.csv); "
              "default the default_funding_stream setting. Versions are per commissioner, year and stream.")
@click.option("--fund", default=None, help="The commissioner's own name for the fund (kept with the version).")
@click.option("--returns", "returns", default=None, help="How often providers report, for rows whose 'returns' column is "
              "blank: quarterly, half-yearly, annual or none (default the default_reporting_rhythm setting).")
@click.option("--targets", "targets_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Optional annual targets (CSV contract_ref or initiative, financial_year, indicator_code, annual_target), "
              "added to raw/reference/targets.csv. Without targets nothing is coloured on a target.")
def import_allocations_command(
    raw: Path | None, register: Path, code: str, version: str, plan_file: Path | None, name: str | None,
    printed_total: str | None, accept_difference: str | None, stream: str | None, fund: str | None, returns: str | None,
    targets_file: Path | None,
) -> None:
    """Read a commissioner's allocation register (CSV or XLSX, one row per contract) and plan into the raw files."""
    from opcc.framework_import.register import ImportRefused, import_allocations

    try:
        imported = import_allocations(
            register, raw_dir(raw), commissioner=code, version=version, plan_file=plan_file, name=name,
            printed_total=printed_total, accept_difference=accept_difference, stream=stream, fund=fund, returns=returns,
            targets_file=targets_file,
        )
    except ImportRefused as refused:
        for line in refused.problems:
            click.echo(line, err=True)
        click.echo("Nothing was written.", err=True)
        sys.exit(1)
    for line in imported.summary():
        click.echo(line)


@main.command("new-suite")
@warehouse_option
@click.argument("name")
@click.option("--guards", required=True, help="The asset the suite guards, e.g. marts/fct_cost_per_outcome.")
@click.option("--data", "sql", required=True, help="SQL that reads the rows the rules look at.")
@click.option("--layer", default="marts", show_default=True)
@click.option("--identify", multiple=True, help="Columns that name a failing row (repeatable).")
def new_suite(warehouse: Path | None, name: str, guards: str, sql: str, layer: str, identify: tuple[str, ...]) -> None:
    """Start a new Great Expectations suite (then add rules to its JSON file)."""
    from opcc.quality.authoring import register_suite

    path = register_suite(warehouse_path(warehouse), name, guards, sql, layer, list(identify))
    click.echo(f"Suite {name}: add rules to {path}")


@main.command()
@raw_option
def samples(raw: Path | None) -> None:
    """Regenerate the illustrative sample returns and targets (made-up data, not published figures)."""
    from opcc.ingest.samples import generate

    counts = generate(raw_dir(raw))
    click.echo(
        f"Wrote {counts['csv']} CSV and {counts['xlsx']} XLSX sample returns, {counts['log']} submission log lines "
        f"and {counts['targets']} targets under {raw_dir(raw)}"
    )


if __name__ == "__main__":
    main()

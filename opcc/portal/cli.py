"""`opcc portal`: serve the provider portal, create its accounts.

Registered by orchestration/commands/cli.py; Django is imported only when a subcommand runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from opcc.core.arguments import PORT
from opcc.core.settings import raw_dir, warehouse_path

_warehouse = click.option("--warehouse", "warehouse", type=click.Path(dir_okay=False, path_type=Path), default=None,
                          help="Warehouse file (default: $OPCC_WAREHOUSE, else warehouse/opcc.duckdb).")
_raw = click.option("--raw", "raw", type=click.Path(file_okay=False, path_type=Path), default=None,
                    help="Folder of input files (default: $OPCC_RAW, else raw/); the portal's folder sits beside it.")


def _paths(raw: Path | None, warehouse: Path | None):
    from opcc.portal.config import paths_for

    return paths_for(raw_dir(raw), warehouse_path(warehouse))


@click.group()
def portal() -> None:
    """The provider portal: providers upload returns and see every problem; staff see and chase everything."""


@portal.command()
@_warehouse
@_raw
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (keep 127.0.0.1 behind a reverse proxy).")
@click.option("--port", default=8000, show_default=True, type=PORT)
def serve(warehouse: Path | None, raw: Path | None, host: str, port: int) -> None:
    """Serve the portal (waitress) until Ctrl-C."""
    from opcc.portal.server import serve as run

    sys.exit(run(_paths(raw, warehouse), host, port, say=lambda text: click.echo(text, err=True)))


@portal.command("add-user")
@_warehouse
@_raw
@click.argument("email")
@click.option("--role", type=click.Choice(["provider", "staff"]), required=True)
@click.option("--contracts", default="", help="A provider's contracts, comma-separated: --contracts LEI-001,LEI-002.")
@click.option("--commissioner", default=None, help="A staff account's commissioner code.")
@click.option("--password-stdin", "password_stdin", is_flag=True,
              help="Read the password from standard input; otherwise a one-time invitation link is printed.")
def add_user(warehouse: Path | None, raw: Path | None, email: str, role: str, contracts: str, commissioner: str | None,
             password_stdin: bool) -> None:
    """Create a provider or staff account."""
    from opcc.portal.setup import configure

    configure(_paths(raw, warehouse))
    from opcc.portal.accounts import INVITATION_HOURS, AccountError, create_account

    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            click.echo("error: no password on standard input", err=True)
            sys.exit(2)
    try:
        account, link = create_account(email, role, contracts.split(",") if contracts else [], commissioner, password)
    except AccountError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    what = f"contracts {', '.join(account.contract_ids())}" if role == "provider" else f"every contract of {account.commissioner_code}"
    click.echo(f"Created {role} account {account.pk} for {account.user.email} ({what})")
    if link:
        click.echo(f"Invitation link (works once, for {INVITATION_HOURS} hours; set OPCC_PORTAL_URL to the portal's address):")
        click.echo(link)

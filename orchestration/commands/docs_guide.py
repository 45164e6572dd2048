"""The project's guide (docs/ as a MkDocs site), built offline, and its generated command reference.

`opcc docs` builds the guide beside the dbt documentation; tests build it into tmp_path with
`--strict`, so a broken link or a page missing from the navigation fails. The command reference is
rendered from the click commands themselves at build time (mkdocs_hooks/generated_pages.py), so
it is never edited by hand and never drifts from `opcc --help`.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import click

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MKDOCS_CONFIG = PROJECT_ROOT / "mkdocs.yml"


def _commands(group: click.Group, ctx: click.Context) -> list[tuple[click.Command, click.Context]]:
    found = []
    for name in sorted(group.list_commands(ctx)):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        sub = click.Context(command, info_name=name, parent=ctx)
        found.append((command, sub))
        if isinstance(command, click.Group):
            found += _commands(command, sub)
    return found


def _escape(text: str) -> str:
    """Text of a table cell: pipes and angle brackets would otherwise be read as markup."""
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ")


def _option_rows(command: click.Command, ctx: click.Context) -> list[str]:
    rows = []
    for param in command.get_params(ctx):
        if isinstance(param, click.Option):
            if param.hidden:
                continue
            record = param.get_help_record(ctx)
            if record is None:
                continue
            names, help_text = record
            rows.append(f"| `{_escape(names)}` | {_escape(help_text)} |")
        elif isinstance(param, click.Argument):
            rows.append(f"| `{_escape(param.make_metavar(ctx) if _takes_ctx(param) else param.make_metavar())}` "
                        f"| argument{' (required)' if param.required else ''} |")
    return rows


def _takes_ctx(param: click.Parameter) -> bool:
    """click 8.2 and later pass the context to make_metavar; earlier versions take none."""
    return "ctx" in inspect.signature(param.make_metavar).parameters


def cli_reference(group: click.Group, prog: str = "opcc") -> str:
    """Markdown for every command of `group`: its usage, help and options, as `--help` prints them."""
    root = click.Context(group, info_name=prog)
    lines = [
        "# Command reference",
        "",
        f"<!-- Generated from the `{prog}` commands when the site is built: do not edit by hand. -->",
        "",
        f"Every `{prog}` command as `{prog} COMMAND --help` describes it. This page is generated from the",
        "commands themselves each time the site is built; the [operations guide](../operations.md) says when to use which.",
        "",
    ]
    for command, ctx in _commands(group, root):
        path = ctx.command_path
        lines += [f"## `{path}`", "", "```text", command.get_usage(ctx), "```", ""]
        help_text = (command.help or "").split("\f", 1)[0].strip()
        if help_text:
            lines += [click.unstyle(help_text), ""]
        rows = _option_rows(command, ctx)
        if rows:
            lines += ["| option | what it does |", "|---|---|", *rows, ""]
    return "\n".join(lines)


def build(out: Path, config_file: Path = MKDOCS_CONFIG) -> Path:
    """Build the guide into `out` with --strict (any warning fails) and return its index page."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    out.mkdir(parents=True, exist_ok=True)
    try:
        config = load_config(str(config_file), site_dir=str(out), strict=True)
        mkdocs_build(config)
    except MkDocsException as error:
        raise RuntimeError(f"the guide did not build: {error}") from error
    return out / "index.html"

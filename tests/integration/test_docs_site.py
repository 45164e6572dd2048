"""The README stays short and the guide is a MkDocs site that builds offline with --strict.

The guide (docs/, mkdocs.yml) is built into tmp_path exactly as `opcc docs` builds it, with every
outbound connection attempt recorded (the hook of tests/integration/orchestration/test_offline.py): a broken
link or anchor, a page missing from the navigation, or a theme that fetches a font fails here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from orchestration.commands.cli import main as opcc
from orchestration.commands.docs_guide import cli_reference
from tests.conftest import PROJECT_ROOT, built_once
from tests.integration.orchestration.test_offline import HOOK

DOCS = PROJECT_ROOT / "docs"
README = PROJECT_ROOT / "README.md"
MKDOCS = Path(sys.executable).parent / "mkdocs"

# The README's headings when the guides moved out of it (issue 24): each is still a heading of the
# README or of a page of the guide, so no section was dropped on the way.
HEADINGS_BEFORE_THE_MOVE = [
    "OPCC performance warehouse", "Two commands", "Data flow", "Marts", "Asking the warehouse", "The input data",
    "Cost per outcome", "The quarterly performance review pack", "Provider returns",
    "Importing a published framework", "Discrepancies in the published documents", "Plans and commissioners",
    "Add a commissioner", "Start a new plan", "Every fund, in the rhythm its providers report",
    "Open data: grants and contracts", "Data quality: every rule in one home",
    "One home for every setting and definition", "Running it", "Provider portal",
    "One Dagster instance, and a refresh that runs itself", "Guarantees, and their limits",
    "Performance at national scale", "Project layout",
]
README_KEEPS = ["Two commands", "Data flow", "Project layout", "Documentation"]


def headings(text: str) -> list[str]:
    found, fence = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fence = not fence
        elif not fence and re.match(r"#{1,6} ", line):
            found.append(line.lstrip("#").strip())
    return found


def sh_blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.+?)\n```", text, flags=re.S)


def test_the_readme_is_under_12_kb():
    assert README.stat().st_size < 12 * 1024, f"README.md is {README.stat().st_size:,} bytes"


def test_the_readme_keeps_what_it_is_its_commands_the_flow_and_the_layout():
    found = headings(README.read_text(encoding="utf-8"))
    assert found[0] == "OPCC performance warehouse"
    assert [h for h in README_KEEPS if h not in found] == []


@pytest.mark.parametrize("heading", HEADINGS_BEFORE_THE_MOVE)
def test_every_section_of_the_old_readme_lands_somewhere(heading):
    pages = {path.name: headings(path.read_text(encoding="utf-8")) for path in DOCS.rglob("*.md")}
    pages["README.md"] = headings(README.read_text(encoding="utf-8"))
    assert any(heading in found for found in pages.values()), f"no page has the section {heading!r}"


def test_the_readme_links_only_to_pages_that_exist():
    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\((docs/[^)#]+)", text)
    assert targets, "the README links to the guide"
    assert [t for t in targets if not (PROJECT_ROOT / t).is_file()] == []


def test_getting_started_gives_the_readmes_two_commands_verbatim():
    readme = sh_blocks(README.read_text(encoding="utf-8").split("## Two commands", 1)[1].split("\n## ", 1)[0])
    guide = sh_blocks((DOCS / "getting-started.md").read_text(encoding="utf-8"))
    assert readme and guide[: len(readme)] == readme


def test_the_command_reference_has_every_command_and_option():
    page = cli_reference(opcc)
    ctx = click.Context(opcc, info_name="opcc")
    for name in opcc.list_commands(ctx):
        command = opcc.get_command(ctx, name)
        assert f"## `opcc {name}`" in page
        sub = click.Context(command, info_name=name, parent=ctx)
        for param in command.get_params(sub):
            if isinstance(param, click.Option) and not param.hidden:
                assert f"`{param.opts[0]}" in page or any(f"`{o}" in page for o in param.opts), (name, param.opts)
        if isinstance(command, click.Group):
            for sub_name in command.list_commands(sub):
                assert f"## `opcc {name} {sub_name}`" in page


def test_no_generated_page_is_committed_by_hand():
    assert not (DOCS / "reference" / "cli.md").exists(), "the command reference is generated at build time"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The guide built with --strict into a temporary folder, every outbound attempt recorded; once for
    the run, whichever worker asks first (the tests only read it)."""
    return built_once(tmp_path_factory, "guide", build_guide)


def build_guide(work):
    hook = work / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(HOOK, encoding="utf-8")
    log = work / "network.log"
    log.touch()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH")])),
           "OPCC_NETWORK_LOG": str(log), "NO_MKDOCS_2_WARNING": "1"}
    before = subprocess.run(["git", "status", "--porcelain"], cwd=PROJECT_ROOT, capture_output=True, text=True).stdout
    site = work / "site"
    result = subprocess.run([str(MKDOCS), "build", "--strict", "--config-file", str(PROJECT_ROOT / "mkdocs.yml"),
                             "--site-dir", str(site)], cwd=work, env=env, capture_output=True, text=True, timeout=300)
    after = subprocess.run(["git", "status", "--porcelain"], cwd=PROJECT_ROOT, capture_output=True, text=True).stdout
    return result, site, log.read_text(encoding="utf-8"), before, after


def test_the_guide_builds_strict(built):
    result, site, _, _, _ = built
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    assert (site / "index.html").is_file()


def test_the_guide_build_reaches_nothing_and_writes_nothing_into_the_project(built):
    _, _, network, before, after = built
    assert network == "", "outbound network attempts:\n" + network
    assert after == before, "building the guide wrote into the project's files"


def test_the_built_pages_load_nothing_remote(built):
    _, site, _, _, _ = built
    remote = [f"{page.relative_to(site)}: {m}" for page in site.rglob("*.html")
              for m in re.findall(r"""<(?:script|link|img|iframe)[^>]+(?:src|href)=["'](?:https?:)?//[^"']+""",
                                  page.read_text(encoding="utf-8"))]
    assert remote == []


def test_every_page_of_the_guide_is_built_with_the_generated_ones(built):
    _, site, _, _, _ = built
    for page in DOCS.rglob("*.md"):
        assert (site / page.relative_to(DOCS).with_suffix(".html")).is_file(), page
    reference = (site / "reference" / "cli.html").read_text(encoding="utf-8")
    assert "opcc refresh" in reference and "opcc portal serve" in reference
    assert (site / "benchmark-figures.html").is_file()

"""The README's two commands are the ones CI and users run."""

import re

from tests.conftest import PROJECT_ROOT


def readme_commands() -> list[str]:
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_readme_gives_a_run_command_and_a_test_command():
    run, test = readme_commands()
    assert "opcc refresh" in run and "pip install" in run
    assert "pytest" in test and "pip install" in test


def test_ci_runs_the_readme_test_command_verbatim():
    _, test = readme_commands()
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test in ci.splitlines()

"""Parameters are passed, not smuggled: no code writes os.environ to hand a value to other code,
except at the command layer's edge and where a tool reads its setting from the environment alone."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import PROJECT_ROOT

COMMAND_LAYER = PROJECT_ROOT / "orchestration" / "commands"
# Tools that take the value from the environment and nowhere else (file -> why).
TOOL_READS_ONLY_THE_ENVIRONMENT = {
    "opcc/core/dbt_project.py": "dbt's profiles.yml takes the build file's path by env_var(); set for the call and restored",
}


def environment_writes(path: Path) -> list[int]:
    """Lines that assign os.environ[...] or call os.environ.update / setdefault with a value."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = node.targets if isinstance(node, ast.Assign) else []
        if any(isinstance(t, ast.Subscript) and ast.unparse(t.value) == "os.environ" for t in targets):
            found.append(node.lineno)
        if isinstance(node, ast.Call) and ast.unparse(node.func) in {"os.environ.update"}:
            found.append(node.lineno)
    return found


def test_no_code_writes_the_environment_to_hand_a_value_on():
    offences = []
    for path in [*(PROJECT_ROOT / "opcc").rglob("*.py"), *(PROJECT_ROOT / "orchestration").rglob("*.py")]:
        relative = path.relative_to(PROJECT_ROOT).as_posix()
        if COMMAND_LAYER in path.parents or relative in TOOL_READS_ONLY_THE_ENVIRONMENT:
            continue
        offences += [f"{relative}:{line}" for line in environment_writes(path)]
    assert not offences, "os.environ written outside the command layer's edge: " + ", ".join(offences)


def test_the_scan_sees_an_assignment(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('import os\nos.environ["A"] = "1"\nos.environ.update(B="2")\nos.environ.get("C")\n', encoding="utf-8")
    assert environment_writes(sample) == [2, 3]


def test_nothing_of_orchestration_writes_the_environment_not_even_the_command_layer():
    """The refresh hands its paths to the definitions it builds, and opens its instance by folder;
    `opcc serve` gives its children an environment of their own (a dict), never this process's."""
    offences = []
    for path in (PROJECT_ROOT / "orchestration").rglob("*.py"):
        offences += [f"{path.relative_to(PROJECT_ROOT).as_posix()}:{line}" for line in environment_writes(path)]
    assert not offences, "os.environ written: " + ", ".join(offences)

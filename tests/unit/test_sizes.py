"""Rooms a reader can take in: no module over 450 lines and no function over 80 lines, unless a
comment says why (`# size: ...` among a module's first lines, or on the lines just above a function's
`def` or its decorators)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import PROJECT_ROOT

MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 80
REASON = "# size:"


def _code_files() -> list[Path]:
    files = [*(PROJECT_ROOT / "opcc").rglob("*.py"), *(PROJECT_ROOT / "orchestration").rglob("*.py")]
    return [path for path in files if "migrations" not in path.parts]  # Django writes those


def oversized(path: Path) -> list[str]:
    """What in one file is too long and says nothing of why."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    if len(lines) > MAX_MODULE_LINES and not any(REASON in line for line in lines[:30]):
        found.append(f"{path.name}: {len(lines)} lines (at most {MAX_MODULE_LINES}, or a '{REASON}' comment at the top)")
    for node in ast.walk(ast.parse("\n".join(lines))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            above = lines[max(first - 4, 0) : first - 1]
            if length > MAX_FUNCTION_LINES and not any(REASON in line for line in above):
                found.append(f"{path.name}:{node.lineno} {node.name}: {length} lines (at most {MAX_FUNCTION_LINES}, or a '{REASON}' comment above it)")
    return found


def test_no_long_module_or_function_without_a_reason():
    found = [f"{path.relative_to(PROJECT_ROOT)}: {line}" for path in _code_files() for line in oversized(path)]
    assert not found, "\n".join(found)


def test_the_measure_finds_a_long_function(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES + 1))
    long = tmp_path / "long.py"
    long.write_text(f"def long():\n{body}\n", encoding="utf-8")
    assert [line.split(":")[1] for line in oversized(long)] == ["1 long"]
    long.write_text(f"{REASON} a table of {MAX_FUNCTION_LINES} rows reads best whole\ndef long():\n{body}\n", encoding="utf-8")
    assert oversized(long) == []

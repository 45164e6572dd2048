"""Rooms with one job each: the library code knows nothing of Dagster, and only the tools that make
illustrative data import the sample generator."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "opcc"  # the library; orchestration/ holds Dagster (defs/) and the commands
ORCHESTRATION = PROJECT_ROOT / "orchestration"
SAMPLE_GENERATOR = "opcc.ingest.samples"
MAY_MAKE_SAMPLES = {"orchestration.commands.cli"}  # `opcc samples`; tests and the benchmark are outside the package


def _module(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module a file imports, relative imports resolved against its package."""
    module = _module(path)
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join([*base, node.module] if node.module else base)
            found.add(target)
            found |= {f"{target}.{alias.name}" for alias in node.names}  # `from . import samples`
    return found


def _library_files() -> list[Path]:
    return list(PACKAGE.rglob("*.py"))


def test_the_scan_resolves_relative_imports():
    imports = _imports(ORCHESTRATION / "defs" / "assets" / "returns.py")
    assert any(name.startswith("opcc.ingest") for name in imports), imports


def test_library_code_imports_neither_dagster_nor_the_code_location():
    offences = []
    for path in _library_files():
        for name in _imports(path):
            top = name.split(".")
            if top[0].startswith("dagster") or top[0] == "orchestration":
                offences.append(f"{path.relative_to(PROJECT_ROOT)} imports {name}")
    assert not offences, "\n".join(offences)


def test_only_the_samples_command_imports_the_sample_generator():
    offences = [
        f"{path.relative_to(PROJECT_ROOT)} imports {name}"
        for path in [*PACKAGE.rglob("*.py"), *ORCHESTRATION.rglob("*.py")]
        if _module(path) not in MAY_MAKE_SAMPLES | {SAMPLE_GENERATOR}
        for name in _imports(path)
        if name == SAMPLE_GENERATOR or name.startswith(SAMPLE_GENERATOR + ".")
    ]
    assert not offences, "\n".join(offences)

"""The tree shows the flow: each top-level package is one layer, and imports run only downwards.

- `opcc/` is the library, its subpackages in data-flow order (LIBRARY_LAYERS); it never imports Dagster
  nor the orchestration package, and a subpackage imports only those before it (or itself).
- `orchestration/defs/` holds everything Dagster; `orchestration/commands/` is the command line. Nothing
  outside these two folders imports dagster, and defs never imports the commands.
- No import cycle between modules of different layers.
Only the tools that make illustrative data import the sample generator."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "opcc"  # the library; orchestration/ holds Dagster (defs/) and the commands
ORCHESTRATION = PROJECT_ROOT / "orchestration"
# The library's layers, lowest first: a layer imports only itself and the layers before it.
LIBRARY_LAYERS = ["core", "ingest", "framework_import", "quality", "reporting", "opendata", "portal"]
# Above the library: Dagster's definitions, then the commands that run them.
LAYERS = [*(f"opcc.{name}" for name in LIBRARY_LAYERS), "orchestration.defs", "orchestration.commands"]
DAGSTER_FOLDERS = {"orchestration.defs", "orchestration.commands"}
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


def _code_files() -> list[Path]:
    return [*PACKAGE.rglob("*.py"), *ORCHESTRATION.rglob("*.py")]


def _layer(module: str) -> int | None:
    """The layer's rank of a project module (None for a package's face or anything outside)."""
    for rank, layer in enumerate(LAYERS):
        if module == layer or module.startswith(layer + "."):
            return rank
    return None


def _project_modules() -> dict[str, Path]:
    return {_module(path): path for path in _code_files()}


def _edges() -> dict[str, set[str]]:
    """Module -> the project modules it imports (a `from package import name` counted as the module when it is one)."""
    modules = _project_modules()
    return {module: {name for name in _imports(path) if name in modules and name != module} for module, path in modules.items()}


def test_the_scan_resolves_relative_imports():
    imports = _imports(ORCHESTRATION / "defs" / "assets" / "returns.py")
    assert any(name.startswith("opcc.ingest") for name in imports), imports


def test_every_module_stands_in_a_layer():
    loose = [m for m in _project_modules() if _layer(m) is None and m not in {"opcc", "orchestration"}]
    assert not loose, f"modules outside every layer: {loose}"


def test_only_the_dagster_and_command_folders_import_dagster():
    offences = []
    for path in _code_files():
        module = _module(path)
        if any(module == folder or module.startswith(folder + ".") for folder in DAGSTER_FOLDERS):
            continue
        for name in _imports(path):
            top = name.split(".")
            if top[0].startswith("dagster") or top[0] == "orchestration":
                offences.append(f"{path.relative_to(PROJECT_ROOT)} imports {name}")
    assert not offences, "\n".join(offences)


def test_no_import_runs_back_up():
    offences = [
        f"{module} (layer {LAYERS[_layer(module)]}) imports {name} (layer {LAYERS[_layer(name)]})"
        for module, names in _edges().items()
        if _layer(module) is not None
        for name in names
        if _layer(name) is not None and _layer(name) > _layer(module)
    ]
    assert not offences, "\n".join(offences)


def _cycles(edges: dict[str, set[str]]) -> list[str]:
    """Walks the import graph depth first; a module reached again while still on the path closes a cycle."""
    state: dict[str, int] = {}  # 1 on the path, 2 done
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for name in sorted(edges.get(module, ())):
            if state.get(name) == 1:
                cycles.append(" -> ".join([*path[path.index(name):], name]))
            elif name not in state:
                visit(name, [*path, name])
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    return cycles


def test_no_import_cycle():
    cycles = _cycles(_edges())
    assert not cycles, "\n".join(cycles)


def test_the_walk_finds_a_cycle_and_ranks_the_layers():
    """The checks above can fail: a made-up pair of modules that import each other is found."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a -> b -> c -> a"]
    assert _layer("opcc.reporting.pack") > _layer("opcc.core.audit")
    assert _layer("orchestration.commands.cli") > _layer("orchestration.defs.assets.dbt") > _layer("opcc.portal.views")


def test_only_the_samples_command_imports_the_sample_generator():
    offences = [
        f"{path.relative_to(PROJECT_ROOT)} imports {name}"
        for path in _code_files()
        if _module(path) not in MAY_MAKE_SAMPLES | {SAMPLE_GENERATOR}
        for name in _imports(path)
        if name == SAMPLE_GENERATOR or name.startswith(SAMPLE_GENERATOR + ".")
    ]
    assert not offences, "\n".join(offences)

"""Every command imports what it uses when it runs (the imports are inside the commands, so that
`opcc --help` stays fast): a name moved to another module failed only when the command was run."""

import ast
import importlib
import importlib.util

from tests.conftest import PROJECT_ROOT


def test_every_name_a_command_imports_exists():
    """`opcc new-suite` raised ImportError: register_suite is in opcc.quality.authoring, not opcc.quality."""
    tree = ast.parse((PROJECT_ROOT / "orchestration" / "commands" / "cli.py").read_text(encoding="utf-8"))
    missing = [
        f"line {node.lineno}: from {node.module} import {alias.name}"
        for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
        for alias in node.names
        if not hasattr(importlib.import_module(node.module), alias.name)
        and importlib.util.find_spec(f"{node.module}.{alias.name}") is None
    ]
    assert not missing

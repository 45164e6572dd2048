"""`opcc docs` writes the dbt documentation and the project's guide beside it."""

import re

from orchestration.commands.docs_guide import build
from tests.conftest import run_opcc


def test_the_guide_builds_in_process_into_any_folder(tmp_path):
    index = build(tmp_path / "guide")
    assert index == tmp_path / "guide" / "index.html" and index.is_file()
    assert "opcc cost-per-outcome" in (tmp_path / "guide" / "reference" / "cli.html").read_text(encoding="utf-8")


def test_opcc_docs_writes_the_dbt_page_and_the_guide_beside_it(warehouse_copy, tmp_path):
    out = tmp_path / "docs"
    result = run_opcc("docs", "--warehouse", str(warehouse_copy), "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "fct_cost_per_outcome" in (out / "index.html").read_text(encoding="utf-8"), "the dbt page stays the index"
    guide = out / "guide" / "index.html"
    assert f"Wrote {guide} (the project's guide)" in result.stdout
    assert "Plans and commissioners" in guide.read_text(encoding="utf-8")
    assert not re.search(r"""<(script|link)[^>]+(src|href)=["']https?://""", guide.read_text(encoding="utf-8"))


def test_opcc_docs_without_a_warehouse_says_so_in_one_line(tmp_path):
    missing = tmp_path / "none.duckdb"
    result = run_opcc("docs", "--warehouse", str(missing), "--out", str(tmp_path / "docs"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == f"error: no warehouse at {missing}; run `opcc refresh` first"
    assert "Traceback" not in result.stderr

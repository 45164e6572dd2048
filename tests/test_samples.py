"""The sample returns are made by the project's deterministic generator, and are what is committed."""

import filecmp
import shutil

from openpyxl import load_workbook

from orchestration.samples import generate
from tests.conftest import RAW


def test_generator_reproduces_the_committed_sample(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW / "framework", raw / "framework")
    shutil.copytree(RAW / "reference", raw / "reference")
    (raw / "reference" / "targets.csv").unlink()
    generate(raw)
    committed = sorted(p.relative_to(RAW) for p in (RAW / "returns").rglob("*") if p.is_file())
    generated = sorted(p.relative_to(raw) for p in (raw / "returns").rglob("*") if p.is_file())
    assert generated == committed
    assert filecmp.cmp(raw / "reference" / "targets.csv", RAW / "reference" / "targets.csv", shallow=False)
    for relative in committed:
        if relative.suffix == ".csv":
            assert filecmp.cmp(raw / relative, RAW / relative, shallow=False), relative
        else:
            cells = [[c.value for c in row] for row in load_workbook(RAW / relative)["Return"].iter_rows()]
            assert cells == [[c.value for c in row] for row in load_workbook(raw / relative)["Return"].iter_rows()]


def test_sample_has_a_workbook_return_every_quarter():
    for quarter in range(1, 5):
        assert list((RAW / "returns" / f"2016-17 Q{quarter}").glob("*.xlsx"))

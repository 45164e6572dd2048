"""The sample returns are made by the project's deterministic generator, and are what is committed."""

import filecmp
import shutil

from opcc.ingest.samples import generate
from tests.conftest import RAW


def test_generator_reproduces_the_committed_sample(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW / "framework", raw / "framework")
    shutil.copytree(RAW / "reference", raw / "reference")
    shutil.copytree(RAW / "plans", raw / "plans")
    (raw / "reference" / "targets.csv").unlink()
    generate(raw)
    committed = sorted(p.relative_to(RAW) for p in (RAW / "returns").rglob("*") if p.is_file())
    generated = sorted(p.relative_to(raw) for p in (raw / "returns").rglob("*") if p.is_file())
    assert generated == committed
    assert filecmp.cmp(raw / "reference" / "targets.csv", RAW / "reference" / "targets.csv", shallow=False)
    for relative in committed:  # workbooks too: the generator writes them byte for byte the same
        assert filecmp.cmp(raw / relative, RAW / relative, shallow=False), relative
    assert (RAW / "returns" / "SAMPLE_DATA.md").exists()


def test_sample_has_a_workbook_return_every_quarter():
    for quarter in range(1, 5):
        assert list((RAW / "returns" / f"2016-17 Q{quarter}").glob("*.xlsx"))

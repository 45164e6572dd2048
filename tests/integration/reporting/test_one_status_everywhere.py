"""One status everywhere: every contract's finance, outcome and overall status is the same in the
mart (fct_contract_performance), the pack's contract table and contract pages, the attention list,
the tiles and the XLSX; activity and output shortfalls never colour a contract."""

import re

import pytest
from openpyxl import load_workbook

from tests.conftest import built_once, run_opcc

PERIOD = "2016-17 Q4"
BADGE = r'<span class="rag rag-[a-z-]+">([^<]+)</span>'
WORDS = {"no target set": "no target"}


@pytest.fixture(scope="module")
def pack(bundled_warehouse, tmp_path_factory):
    """Written once for the run, whichever worker asks first (the tests only read it)."""

    def build(out):
        completed = run_opcc("report", "--warehouse", str(bundled_warehouse), "--period", PERIOD, "--out", str(out))
        assert completed.returncode == 0, completed.stdout + completed.stderr
        return out

    out = built_once(tmp_path_factory, "one-status-pack", build)
    html = next(out.glob("*.html")).read_text(encoding="utf-8")
    book = load_workbook(next(out.glob("*.xlsx")), read_only=True)
    return html, book


@pytest.fixture(scope="module")
def mart(db):
    return {
        c: (finance, outcome, overall)
        for c, finance, outcome, overall in db.execute(
            "select contract_id, finance_rag, rag_status, overall_status from marts.fct_contract_performance where period = ?", [PERIOD]
        ).fetchall()
    }


def test_contract_table_and_pages_show_the_marts_statuses(pack, mart):
    html, _ = pack
    table = {
        m.group(1): re.findall(BADGE, m.group(2))
        for m in re.finditer(r'<tr data-contract="([^"]+)">(.*?)</tr>', html, re.S)
    }
    pages = {
        m.group(1): re.findall(BADGE, m.group(2))
        for m in re.finditer(r'<article class="contract-page" id="contract-([^"]+)">.*?<p class="status">(.*?)</p>', html, re.S)
    }
    assert set(table) == set(pages) == set(mart)
    for contract, (finance, outcome, overall) in mart.items():
        assert table[contract] == [finance, outcome, overall], contract
        assert pages[contract][:3] == [overall, finance, outcome], contract


def test_attention_list_colours_a_contract_only_by_its_outcome_status(pack, mart, db):
    html, _ = pack
    below = {
        m.group(2): m.group(1)
        for m in re.finditer(r'<li data-kind="below target">' + BADGE + r'.*?href="#contract-([^"]+)"', html, re.S)
    }
    coloured = {c: outcome for c, (_, outcome, _) in mart.items() if outcome in ("red", "amber")}
    assert below == coloured
    # the sample has activity and output shortfalls: they are notes, never an attention item of their own
    notes = db.execute(
        "select count(*) from marts.fct_contract_performance, unnest(exceptions) as e(text) "
        "where period = ? and e.text like 'note: %'", [PERIOD]
    ).fetchone()[0]
    assert notes > 0


def test_tiles_count_the_marts_statuses(pack, mart, db):
    html, _ = pack
    summary = dict(zip(
        [d[0] for d in db.execute("select * from reporting.rpt_period_summary limit 0").description],
        db.execute("select * from reporting.rpt_period_summary where commissioner_code = 'LEI' and period = ?", [PERIOD]).fetchone(),
        strict=True,
    ))
    for status in ("red", "amber", "green"):
        assert summary[f"overall_{status}"] == sum(1 for *_, o in mart.values() if o == status)
        assert summary[f"outcome_{status}"] == sum(1 for _, o, _ in mart.values() if o == status)
        assert summary[f"finance_{status}"] == sum(1 for f, *_ in mart.values() if f == status)
    card = re.search(r'<div class="figure">(.*?)</div><div class="label">outcomes: ', html, re.S).group(1)
    shown = dict(zip(re.findall(BADGE, card), (int(n) for n in re.findall(r"</span> (\d+)", card)), strict=True))
    for status in ("red", "amber", "green"):
        assert shown[status] == summary[f"outcome_{status}"]


def test_workbook_shows_the_marts_statuses(pack, mart):
    _, book = pack
    rows = list(book["Contracts"].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "contract")
    columns = rows[header]
    shown = {
        r[0]: (r[columns.index("finance")], r[columns.index("outcomes")], r[columns.index("overall")])
        for r in rows[header + 1:] if r and r[0]
    }
    assert shown == mart

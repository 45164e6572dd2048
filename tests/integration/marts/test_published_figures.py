"""Every subtotal and total the two published documents print, reproduced by the warehouse.

The expected figures are typed from the documents; the warehouse computes its
figures from the allocation lines, so a line lost, misread or double-counted
shows up here.
"""

from decimal import Decimal

import pytest

from tests.conftest import scalar

THEMES = ("T1", "T2", "T3", "T4", "VARIOUS")
PUBLISHED = {
    # version, table: theme subtotals in THEMES order, grand total
    ("2016-17 v1", "appendix_b"): ((1_994_599, 1_184_734, 84_726, 205_924, 450_000), 3_919_983),
    ("2016-17 v1", "table_1"): ((2_034_599, 1_476_734, 84_726, 205_924, 450_000), 4_251_983),
    ("2016-17 v2", "appendix_b"): ((1_994_599, 1_184_734, 104_726, 205_924, 450_000), 3_939_983),
}
APPENDIX_C_TOTAL = 332_000
PLF_TOTAL = 450_000


@pytest.mark.parametrize(("version", "table"), list(PUBLISHED))
def test_theme_subtotals_and_grand_total_from_lines(db, version, table):
    subtotals, grand_total = PUBLISHED[(version, table)]
    rows = dict(
        db.execute(
            """
            select theme_code, sum(allocated_gbp)
            from intermediate.int_allocation_lines__conformed
            where framework_version = ? and source_table = ?
            group by theme_code
            """,
            [version, table],
        ).fetchall()
    )
    assert {theme: rows.get(theme) for theme in THEMES} == {t: Decimal(v) for t, v in zip(THEMES, subtotals, strict=True)}
    assert sum(rows.values()) == grand_total


@pytest.mark.parametrize("version", ["2016-17 v1", "2016-17 v2"])
def test_appendix_c_and_plf_totals(db, version):
    appendix_c = scalar(
        db,
        "select sum(allocated_gbp) from intermediate.int_allocation_lines__conformed "
        "where framework_version = ? and source_table = 'appendix_c'",
        [version],
    )
    plf_lines = scalar(
        db,
        "select sum(allocated_gbp) from marts.fct_allocation where framework_version = ? and mechanism_code = 'PLF'",
        [version],
    )
    plf_table = scalar(
        db, "select sum(plf_allocated_gbp) from intermediate.int_area_grants__conformed where framework_version = ?", [version]
    )
    assert appendix_c == APPENDIX_C_TOTAL
    assert plf_lines == PLF_TOTAL
    assert plf_table == PLF_TOTAL


def test_every_printed_total_is_reproduced(db):
    mismatches = db.execute(
        "select framework_version, source_table, label_printed, printed_gbp, computed_gbp "
        "from marts.fct_published_totals where not matches"
    ).fetchall()
    assert mismatches == []
    assert scalar(db, "select count(*) from marts.fct_published_totals") == 22


def test_allocation_per_version(db):
    rows = db.execute(
        "select framework_version, count(*), sum(allocated_gbp) from marts.fct_allocation group by 1 order by 1"
    ).fetchall()
    assert rows == [("2016-17 v1", 56, Decimal("4251983.00")), ("2016-17 v2", 57, Decimal("4271983.00"))]


def test_attribution_adds_up_to_allocation_per_version(db):
    rows = db.execute(
        """
        select a.framework_version, a.allocated, p.attributed
        from (select framework_version, sum(allocated_gbp) as allocated from marts.fct_allocation group by 1) a
        join (select framework_version, sum(attributed_gbp) as attributed from marts.fct_allocation_by_priority group by 1) p
            using (framework_version)
        order by 1
        """
    ).fetchall()
    assert rows == [
        ("2016-17 v1", Decimal("4251983.00"), Decimal("4251983.00")),
        ("2016-17 v2", Decimal("4271983.00"), Decimal("4271983.00")),
    ]


@pytest.mark.parametrize(
    ("version", "budget", "committed", "additional", "available", "reserve"),
    [
        ("2016-17 v1", 4_611_000, 3_920_000, 332_000, 691_000, 359_000),
        ("2016-17 v2", 4_611_000, 3_940_000, 332_000, 671_000, 339_000),
    ],
)
def test_budget_arithmetic(db, version, budget, committed, additional, available, reserve):
    row = db.execute(
        """
        select commissioning_budget_gbp, committed_printed_gbp, additional_printed_gbp, available_printed_gbp,
               reserve_printed_gbp, reserve_computed_gbp, available_arithmetic_holds, reserve_arithmetic_holds,
               committed_matches_lines, additional_matches_lines, reserve_matches_lines
        from marts.fct_budget_position where framework_version = ?
        """,
        [version],
    ).fetchone()
    assert row[:6] == (budget, committed, additional, available, reserve, reserve)
    assert budget - committed - additional == reserve
    assert all(row[6:]), "printed arithmetic and lines must agree"


def test_plf_allocation_per_csp(db):
    rows = dict(db.execute("select community_safety_partnership, plf_allocated_gbp from marts.dim_community_safety_partnership").fetchall())
    assert len(rows) == 9
    assert sum(rows.values()) == PLF_TOTAL
    assert rows["Oadby and Wigston"] == 19_800
    assert rows["Leicester City"] == 215_100

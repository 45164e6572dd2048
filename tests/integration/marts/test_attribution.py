"""fct_allocation_by_priority: the attribution rule applied to the real contracts."""

from decimal import Decimal

import pytest


def shares(db, contract_id, version="2016-17 v1"):
    return {
        priority: (share, gbp)
        for priority, share, gbp in db.execute(
            "select strategic_priority, share, attributed_gbp from marts.fct_allocation_by_priority "
            "where framework_version = ? and contract_id = ?",
            [version, contract_id],
        ).fetchall()
    }


def contract_named(db, name_like):
    return db.execute("select contract_id from marts.dim_contract where initiative_name like ?", [name_like]).fetchone()[0]


def test_primary_and_secondary_split_three_quarters_one_quarter(db):
    hardship = contract_named(db, "Hardship fund")
    assert shares(db, hardship) == {
        "SP9": (Decimal("0.75"), Decimal("7500.00")),
        "SP12": (Decimal("0.25"), Decimal("2500.00")),
    }


def test_two_primaries_share_the_primary_part_and_pennies_add_up(db):
    svdv = contract_named(db, "SV/DV")
    result = shares(db, svdv)
    assert set(result) == {"SP5", "SP6", "SP9"}
    assert result["SP5"][0] == result["SP6"][0] == Decimal("0.375")
    assert result["SP9"][0] == Decimal("0.25")
    assert sum(gbp for _, gbp in result.values()) == Decimal("268877.00")
    # 268,877 x 0.375 = 100,828.875: one of the two primary rows carries the odd penny.
    assert sorted(gbp for p, (_, gbp) in result.items() if p != "SP9") == [Decimal("100828.87"), Decimal("100828.88")]


@pytest.mark.parametrize(("name", "printed_secondary"), [("Victim First", "-"), ("Multi Agency Public Protection%", "LLR")])
def test_no_valid_secondary_gives_all_to_the_primary(db, name, printed_secondary):
    contract = contract_named(db, name)
    printed = db.execute(
        "select secondary_priority_printed from intermediate.int_allocation_lines__conformed "
        "where framework_version = '2016-17 v1' and contract_id = ? and source_table = 'appendix_b'",
        [contract],
    ).fetchone()[0]
    assert (printed or "-") == printed_secondary or printed in ("", None)
    result = shares(db, contract)
    assert len(result) == 1
    ((share, _),) = result.values()
    assert share == 1


def test_partnership_locality_fund_goes_to_various(db):
    rows = db.execute(
        """
        select distinct p.strategic_priority, p.share
        from marts.fct_allocation_by_priority p
        join marts.fct_allocation a using (framework_version, contract_id)
        where a.mechanism_code = 'PLF'
        """
    ).fetchall()
    assert rows == [("VARIOUS", Decimal("1"))]


def test_priorities_without_a_contract(db):
    """In 2016/17 hate crime, violence with injury and vehicle crime had no commissioned money."""
    funded = {r[0] for r in db.execute("select distinct strategic_priority from marts.fct_allocation_by_priority").fetchall()}
    assert {"SP7", "SP13", "SP14"}.isdisjoint(funded)
    assert {"SP1", "SP2", "SP3", "SP5", "SP9", "SP15", "SP16", "VARIOUS"} <= funded

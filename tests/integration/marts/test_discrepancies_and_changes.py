"""The documents' disagreements with themselves are kept raw, conformed, and listed for a reviewer."""

from tests.conftest import scalar


def discrepancies(db, kind):
    return db.execute(
        "select framework_version, contract_id, field, printed_value, other_value from audit.source_discrepancies where kind = ?",
        [kind],
    ).fetchall()


def test_provider_printed_two_ways(db):
    rows = discrepancies(db, "printed_differently_in_table_1")
    assert ("2016-17 v1", "provider", "Twenty-Two", "Twenty-Twenty") in [(v, f, p, o) for v, _, f, p, o in rows]
    conformed = scalar(db, "select provider from marts.dim_contract where provider_printed like 'Twenty%'")
    assert conformed == "Twenty-Twenty"


def test_initiative_spelled_three_ways(db):
    table_1 = [p + "|" + o for _, _, f, p, o in discrepancies(db, "printed_differently_in_table_1") if f == "initiative"]
    assert any(s.startswith("SVDV") and "|SVIDV" in s for s in table_1)
    between = discrepancies(db, "spelled_differently_between_versions")
    assert any(p.startswith("SV/DV") and o.startswith("SVDV") for _, _, f, p, o in between if f == "initiative")
    assert scalar(db, "select initiative_name from marts.dim_contract where initiative_name like 'SV%'") == "SV/DV"


def test_secondary_priority_printed_as_llr(db):
    rows = discrepancies(db, "not_a_strategic_priority")
    assert [(v, p) for v, _, _, p, _ in rows] == [("2016-17 v1", "LLR")]


def test_amount_without_thousands_separator(db):
    rows = discrepancies(db, "amount_without_thousands_separator")
    assert {p for *_, p, _ in rows} == {"£1114"}
    assert len(rows) == 3  # v1 Appendix B, v1 Table 1, v2 Appendix B
    assert scalar(db, "select allocated_gbp from marts.fct_allocation where value_printed = '£1114' limit 1") == 1114


def test_csp_misspelt_in_plf_table(db):
    rows = db.execute(
        "select printed_value, conformed_value from audit.source_discrepancies where kind = 'misspelt_name'"
    ).fetchall()
    assert rows == [("Oakby and Wigston", "Oadby and Wigston")]


def test_rows_broken_by_pdf_extraction_are_listed(db):
    rows = discrepancies(db, "broken_by_text_extraction")
    assert {v for v, *_ in rows} == {"2016-17 v2"}
    assert len(rows) >= 6
    garbled = [p for _, _, _, p, _ in rows if p.startswith("SV/DV")]
    assert garbled, "the SV/DV row with garbled duplicate cells"


def test_versions_print_different_committed_and_reserve(db):
    rows = {f: (p, o) for _, _, f, p, o in discrepancies(db, "budget_figure_differs_between_versions")}
    assert rows["committed"] == ("£3.940m", "£3.920m")
    assert rows["reserve"] == ("£0.339m", "£0.359m")
    assert rows["available"] == ("£0.671m", "£0.691m")
    assert "additional_allocations" not in rows


def test_framework_changes_v1_to_v2(db):
    changes = db.execute(
        "select change_type, contract_id, field, change_gbp, is_spelling_only from marts.fct_framework_changes"
    ).fetchall()
    added = [c for c in changes if c[0] == "added"]
    assert len(added) == 1 and added[0][3] == 20_000
    assert scalar(db, "select initiative_name from marts.dim_contract where contract_id = ?", [added[0][1]]) == "VCS infrastructure support"
    assert not [c for c in changes if c[0] in ("removed", "value_changed")]
    provider = [c for c in changes if c[0] == "attribute_changed" and c[2] == "provider"]
    assert len(provider) == 1 and provider[0][4] is True

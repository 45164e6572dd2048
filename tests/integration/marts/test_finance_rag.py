"""The finance RAG beside the outcome RAG, and the overall status that is the worse of the two."""

from opcc.core.settings import setting

ORDER = {"green": 1, "not reported": 2, "amber": 3, "red": 4}


def test_target_hardening_is_red_on_finance_and_overall(db):
    finance, outcome, overall, exceptions = db.execute(
        "select finance_rag, rag_status, overall_status, exceptions from marts.fct_contract_performance "
        "where contract_id = 'LEI-024' and period = '2016-17 Q4'"
    ).fetchone()
    assert (finance, overall) == ("red", "red") and outcome == "green", "the green badge no longer hides the overspend"
    assert "overspent: 137% of profile to date" in exceptions


def test_finance_rag_follows_the_settings_and_overall_is_the_worse(db):
    red_above, amber_above = setting("finance_red_above"), setting("finance_amber_above")
    red_below, amber_below = setting("finance_red_below"), setting("finance_amber_below")
    rows = db.execute(
        "select contract_id, period, return_status, spend_ytd_gbp, profile_reported_ytd_gbp, finance_rag, rag_status, "
        "overall_status, exceptions from marts.fct_contract_performance"
    ).fetchall()
    assert len(rows) > 200
    for cid, period, status, spend, profile, finance, outcome, overall, exceptions in rows:
        if status == "missing" or not profile:
            expected = "not reported"
        else:
            ratio = float(spend) / float(profile)
            expected = (
                "red" if ratio > red_above or ratio < red_below
                else "amber" if ratio > amber_above or ratio < amber_below
                else "green"
            )
        assert finance == expected, (cid, period)
        assert overall == max(finance, outcome, key=ORDER.get), (cid, period)
        if outcome == "amber":
            assert any(e.startswith(("below target: ", "under target: ")) for e in exceptions), (cid, period, "amber says why")


def test_a_missing_return_is_not_counted_as_underspend(db):
    q3, q4 = db.execute(
        "select finance_rag, spend_to_reported_profile_ytd from marts.fct_contract_performance "
        "where contract_id = 'LEI-027' and period in ('2016-17 Q3', '2016-17 Q4') order by period"
    ).fetchall()
    assert q3[0] == "not reported"
    assert q4[0] == "green" and 0.85 < float(q4[1]) < 1.05, "Q4 is judged on the quarters reported"

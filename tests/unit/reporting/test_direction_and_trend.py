"""Direction of travel in words and arrows, and the multi-year trend chart (drawn only where more than one year is held)."""

from opcc.reporting.trend_chart import priority_trends

ONE_YEAR = ["2016-17 Q1", "2016-17 Q2", "2016-17 Q3", "2016-17 Q4"]
TWO_YEARS = [*ONE_YEAR, "2017-18 Q1", "2017-18 Q2"]


def _panel(code: str, quarters: list[str]) -> dict:
    return {"priority": code, "priority_name": f"Priority <{code}>", "points": [(q, 100.0 + i) for i, q in enumerate(quarters)]}


def test_one_year_draws_nothing():
    assert priority_trends("Trend", [_panel("P1", ONE_YEAR)], ONE_YEAR) == ""


def test_two_years_draw_every_quarter_and_escape_names():
    svg = priority_trends("Trend & more", [_panel("P1", TWO_YEARS), _panel("P2", TWO_YEARS[2:])], TWO_YEARS)
    assert svg.startswith('<figure class="chart">') and "Trend &amp; more" in svg
    for quarter in ("2016-17", "2017-18"):
        assert quarter in svg
    assert "Priority &lt;P1&gt;" in svg and "<P1>" not in svg
    assert svg == priority_trends("Trend & more", [_panel("P1", TWO_YEARS), _panel("P2", TWO_YEARS[2:])], TWO_YEARS), "deterministic"


def test_a_contract_with_nothing_to_compare_has_no_arrow():
    from opcc.reporting.direction import change, moved

    assert moved({}) == "" and moved({"status_moved": "same", "previous_status": "red"}) == ""
    assert moved({"status_moved": "down", "previous_status": "green"}) == "▼ worse (was green)"
    assert change(None) == "" and change(0) == "no change" and change(-1234.4, ratio=-0.04) == "▼ £1,234 (4%)"

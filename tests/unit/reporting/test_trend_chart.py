"""The multi-year trend chart: drawn only where more than one year is held, every quarter labelled."""

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

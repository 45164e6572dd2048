"""The pack's charts, written as SVG without a plotting library (issue 25): outside text escaped, ids
apart, values and quarters printed, empty panels said in words, long lists split into parts, and the
same bytes every run."""

import itertools
import re
from xml.etree import ElementTree

from opcc.reporting import charts, trend_chart
from opcc.reporting.svg import nice_ticks, text_width

QUARTERS = ["2016-17 Q1", "2016-17 Q2", "2016-17 Q3", "2016-17 Q4"]
HOSTILE = '<script>alert("x")</script> & Co\'s'
SVG = "{http://www.w3.org/2000/svg}"


def _panels(count: int, empty: frozenset[int] = frozenset(), name: str = "Priority") -> list[dict]:
    return [
        {"priority": f"SP{i}", "priority_name": f"{name} {i}", "indicator_name": f"Outcome {i}",
         "points": [] if i in empty else [(QUARTERS[0], 1000.0 + i), (QUARTERS[2], 50.0 + i)]}
        for i in range(1, count + 1)
    ]


def _parsed(figure: str) -> ElementTree.Element:
    """The figure as XML: an unescaped '<' or '&' from outside would not parse."""
    return ElementTree.fromstring(figure)


def _texts(figure: str) -> list[str]:
    return [t.text or "" for t in _parsed(figure).iter(f"{SVG}text")]


def test_outside_text_is_escaped_everywhere():
    figures = [
        charts.allocation_against_spend(HOSTILE, [HOSTILE, "B"], [100.0, 5.0], [90.0, 1.0]),
        *charts.cost_per_outcome_panels(HOSTILE, [*_panels(2, name=HOSTILE), {**_panels(1)[0], "indicator_name": HOSTILE}], QUARTERS),
        charts.returns_by_status(HOSTILE, [{"period": HOSTILE, "on time": 1}], ["on time"]),
        trend_chart.priority_trends(HOSTILE, _panels(1, name=HOSTILE), ["2015-16 Q4", *QUARTERS]),
    ]
    for figure in figures:
        assert "<script" not in figure and "&amp; Co" in figure
        root = _parsed(figure)
        svg = root.find(f"{SVG}svg")
        assert svg.get("aria-label") == HOSTILE and root.find("figcaption").text == HOSTILE
    assert HOSTILE in " ".join(_texts(figures[0])), "a theme's name is a label, read back whole"
    heading = [t for t in _texts(figures[1]) if t.startswith("SP1") or t.startswith("<script>")]
    assert heading[0] == "SP1" and heading[1].startswith('<script>alert("x")</script>'), "a priority's name is its panel's heading"
    assert sum(t.startswith("<script>") for t in _texts(figures[1])) == 3, "two headings and an indicator's name"
    assert [t for t in _texts(figures[2]) if t.startswith("<script>")] == [HOSTILE], "a period's name is its tick label"


def test_ids_never_repeat_within_or_across_the_charts_of_a_page():
    page = [
        charts.allocation_against_spend("Spend", ["A theme"], [100.0], [90.0]),
        *charts.cost_per_outcome_panels("Cost", _panels(11), QUARTERS),
        charts.returns_by_status("Returns", [{"period": q, "late": 2} for q in QUARTERS], ["late"]),
        trend_chart.priority_trends("Trend", _panels(4), ["2015-16 Q4", *QUARTERS]),
    ]
    ids = re.findall(r'\bid="([^"]+)"', "".join(page))
    assert len(page) == 5 and len(ids) > 10
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_values_are_labelled_at_their_bars_and_points():
    spend = _texts(charts.allocation_against_spend("Spend", ["A", "B"], [2_030_000.0, 105_000.0], [2_000_000.0, 999.0]))
    for label in ("£2.03m", "£2.00m", "£105k", "£999", "A", "B", "allocation to date", "spend to date", "£, year to date"):
        assert label in spend
    panel = _texts(charts.cost_per_outcome_panels("Cost", _panels(1), QUARTERS)[0])
    assert "£1,001" in panel and "£51" in panel and {"Q1", "Q2", "Q3", "Q4"} <= set(panel)
    returns = _texts(charts.returns_by_status("Returns", [{"period": "2016-17 Q1", "late": 7, "missing": 0}], ["late", "missing"]))
    assert "7" in returns and "0" in returns and "2016-17 Q1" in returns and "returns" in returns


def test_a_priority_without_points_says_so_and_draws_no_line():
    figure = charts.cost_per_outcome_panels("Cost", _panels(2, empty=frozenset({2})), QUARTERS)[0]
    panels = [g for g in _parsed(figure).iter(f"{SVG}g") if g.get("id", "").split("-")[-2:-1] == ["panel"]]
    assert len(panels) == 2
    said = [[t.text for t in g.iter(f"{SVG}text")] for g in panels]
    assert "no outcomes reported" not in said[0] and "no outcomes reported" in said[1]
    assert panels[0].find(f"{SVG}polyline") is not None and panels[1].find(f"{SVG}polyline") is None


def test_many_priorities_are_split_into_numbered_charts_of_whole_rows():
    parts = charts.cost_per_outcome_panels("Cost", _panels(9), QUARTERS, per_row=4, rows_per_chart=1)
    assert len(parts) == 3
    for number, part in enumerate(parts, start=1):
        assert f'aria-label="Cost ({number} of 3)"' in part and f"<figcaption>Cost ({number} of 3)</figcaption>" in part
    headings = [[t for t in _texts(p) if t.startswith("SP")] for p in parts]
    assert headings == [["SP1 Priority 1", "SP2 Priority 2", "SP3 Priority 3", "SP4 Priority 4"],
                        ["SP5 Priority 5", "SP6 Priority 6", "SP7 Priority 7", "SP8 Priority 8"], ["SP9 Priority 9"]]
    one = charts.cost_per_outcome_panels("Cost", _panels(8), QUARTERS)
    assert len(one) == 1 and 'aria-label="Cost"' in one[0], "one chart carries no part number"


def test_output_is_the_same_every_run():
    def draw() -> str:
        return "".join([
            charts.allocation_against_spend("Spend", ["A theme"], [100.0], [90.0]),
            *charts.cost_per_outcome_panels("Cost", _panels(10, empty=frozenset({3})), QUARTERS),
            charts.returns_by_status("Returns", [{"period": q, "late": 2} for q in QUARTERS], ["late"]),
            trend_chart.priority_trends("Trend", _panels(4), ["2015-16 Q4", *QUARTERS]),
        ])

    assert draw() == draw()


def test_long_headings_wrap_at_words_within_their_panel():
    name = "Reduce reoffending amongst young people and adults in the county and the city"
    figure = charts.cost_per_outcome_panels("Cost", [{**_panels(1)[0], "priority_name": name}], QUARTERS)[0]
    heading = [t for t in _texts(figure) if t and t.split()[0] in {"SP1", *name.split()} and not t.startswith("£")][:2]
    assert heading[0].startswith("SP1 ") and heading[1].endswith("…") and len(heading) == 2
    for line in heading:
        assert all(word.rstrip("…") in name.split() or word == "SP1" for word in line.split())
        assert text_width(line, 9, bold=True) <= (900 - 16) / 4 - 16


def test_axis_ticks_are_round_and_cover_the_scale():
    assert nice_ticks(0, 2352, 4) == [0, 600, 1200, 1800]
    assert nice_ticks(0, 68.4, 5, integer=True) == [0, 15, 30, 45, 60]
    assert nice_ticks(0, 1.2, 5, integer=True) == [0, 1]
    for low, high, most in ((90, 121, 5), (-3.5, 17, 4), (1234, 98765, 5), (0.1, 0.13, 3)):
        ticks = nice_ticks(low, high, most)
        steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
        assert low <= ticks[0] and ticks[-1] <= high and 2 <= len(ticks) <= most + 1 and len(steps) == 1, (low, high, ticks)


def test_ten_years_of_quarters_label_years_apart_and_ticks_differ():
    quarters = [f"{2016 + y}-{17 + y} Q{q}" for y in range(10) for q in range(1, 5)]
    panel = {"priority": "SP1", "priority_name": "Youth", "points": [(q, 14_000.0 + 47 * (i % 7)) for i, q in enumerate(quarters)]}
    texts = _texts(trend_chart.priority_trends("Trend", [panel], quarters))
    years = [t for t in texts if re.fullmatch(r"\d{4}-\d{2}", t)]
    assert 2 <= len(years) < 10 and years[0] == "2016-17" and not [t for t in texts if re.fullmatch(r"Q\d", t)]
    money = [t for t in texts if t.startswith("£")]
    assert len(money) >= 2 and len(money) == len(set(money)) and "£14,100" in money, "no two ticks print the same £k"

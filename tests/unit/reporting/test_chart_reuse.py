"""A panel chart drawn on a figure kept from an earlier chart is the chart a new figure draws: every
artist a chart sets is reset (issue 25: charts drawn faster with reused figures)."""

from opcc.reporting import charts

QUARTERS = ["2016-17 Q1", "2016-17 Q2", "2016-17 Q3", "2016-17 Q4"]


def _panels(count: int, empty: set[int] = frozenset()) -> list[dict]:
    return [
        {"priority": f"SP{i}", "priority_name": f"Priority {i}", "indicator_name": f"Outcome {i}",
         "points": [] if i in empty else [(QUARTERS[0], 100.0 * i), (QUARTERS[2], 50.0 + i)]}
        for i in range(count)
    ]


def test_a_reused_figure_draws_what_a_new_one_draws():
    # Full charts, a short one, empty panels where lines were, and lines where empty panels were.
    sequence = [_panels(8), _panels(3), _panels(8, empty={0, 1, 5}), _panels(6), _panels(8)]
    fresh = []
    for panels in sequence:
        charts._panel_figures.clear()
        fresh.append(charts.cost_per_outcome_panels("Cost per outcome", panels, QUARTERS))
    charts._panel_figures.clear()
    reused = [charts.cost_per_outcome_panels("Cost per outcome", panels, QUARTERS) for panels in sequence]
    assert len(charts._panel_figures) == 2, "one figure per layout (one row, two rows), kept"
    for number, (new, kept) in enumerate(zip(fresh, reused, strict=True)):
        assert new == kept, f"chart {number} differs when drawn on a reused figure"
    assert "no outcomes reported" in reused[2][0] and "no outcomes reported" not in reused[4][0]

"""How a number in a return is read (opcc/ingest/numbers.py): no number is ever guessed.

Property: whatever the convention a provider writes a value in (thousands by
commas, spaces or non-breaking spaces; a decimal point or a decimal comma; '£',
'%', '(12)'), the value is either loaded as exactly the number meant, or
quarantined with the reason; it is never loaded as another number. The rules
run through the same code as the refresh and `opcc validate-return`.
"""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opcc.ingest.return_tools import reference_connection, validate_file
from opcc.ingest.returns import ROW_SCHEMA, validate_returns
from tests.conftest import RAW

PERIOD = "2016-17 Q2"
CONTRACT = "LEI-022"  # Victim First: spend, VIC_REFERRED (count), VIC_SATISFIED (percent)
NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.fixture(scope="module")
def reference():
    con = reference_connection(RAW)
    yield con
    con.close()


def read(reference, values: list[str]) -> list[tuple[str, float | None, str | None]]:
    """Each value as spend in a file of its own: (text, value loaded or None, reason quarantined or None)."""
    rows = [
        {"contract_id": CONTRACT, "period": PERIOD, "measure": "spend_gbp", "value": v, "comment": "",
         "_source_file": f"returns/{PERIOD}/r{i}.csv", "_source_row": 2}
        for i, v in enumerate(values)
    ]
    return _validate(reference, rows)


def read_in_one_file(reference, values: list[tuple[str, str]]) -> dict[str, tuple[float | None, str | None]]:
    """(measure, text) pairs in one file: measure -> (value loaded or None, reason or None)."""
    rows = [
        {"contract_id": CONTRACT, "period": PERIOD, "measure": m, "value": v, "comment": "",
         "_source_file": f"returns/{PERIOD}/one.csv", "_source_row": i + 2}
        for i, (m, v) in enumerate(values)
    ]
    return {m: (value, reason) for (m, _), (_, value, reason) in zip(values, _validate(reference, rows), strict=True)}


def _validate(reference, rows):
    checked = validate_returns(reference, pa.Table.from_pylist(rows, schema=ROW_SCHEMA))
    loaded = {(r["source_file"], r["source_row"]): r["value"] for r in checked.loaded.to_pylist()}
    quarantined = {(r["path"], r["row_number"]): r["reason"] for r in checked.quarantined.to_pylist()}
    key = lambda r: (r["_source_file"], r["_source_row"])  # noqa: E731
    return [(r["value"], loaded.get(key(r)), quarantined.get(key(r))) for r in rows]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1234.5", 1234.5), ("1,234.50", 1234.5), ("£1,234.50", 1234.5), ("£ 1,234", 1234), ("1 234.50", 1234.5),
        (f"1{NBSP}234.50", 1234.5), (f"1{NNBSP}234", 1234), ("1,234,567", 1234567), ("1,234", 1234), ("1.5E+3", 1500),
        (".5", 0.5), ("12.", 12), (" 77 ", 77), ("3 220", 3220),
    ],
)
def test_numbers_that_read_one_way_are_read(reference, text, value):
    (_, loaded, reason), = read(reference, [text])
    assert reason is None and loaded == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        ("36001,53", ("36001.53", "3600153")),
        ("3 220,61", ("3220.61", "322061")),
        (f"3{NBSP}220,61", ("3220.61", "322061")),
        ("12,5", ("12.5", "125")),
        ("£1 000,5", ("1000.5", "10005")),
    ],
)
def test_a_decimal_comma_is_quarantined_naming_both_readings(reference, text, readings):
    (_, loaded, reason), = read(reference, [text])
    assert loaded is None and "reads two ways" in reason and all(r in reason for r in readings)


@pytest.mark.parametrize("text", ["12abc", "5O", "1,23,456", "1.2.3,4.5", "(12", "12)", "£", "1e400", "--5", "١٢٣"])
def test_values_that_are_not_numbers_are_quarantined(reference, text):
    (_, loaded, reason), = read(reference, [text])
    assert loaded is None and reason


@pytest.mark.parametrize(
    ("text", "readings"),
    [("1.234", ("1.234", "1234")), ("123.456", ("123.456", "123456")), ("£12.500", ("12.5", "12500"))],
)
def test_a_point_before_three_digits_is_quarantined_naming_both_readings(reference, text, readings):
    (_, loaded, reason), = read(reference, [text])
    assert loaded is None and "reads two ways" in reason and all(r in reason for r in readings)


def test_a_file_that_writes_a_decimal_comma_unmistakably_is_read_by_its_convention(reference):
    # '1.234,56' can only be a decimal comma: the file's '36001,53' is 36001.53, '84,5' is 84.5, '1.234' is 1234.
    read_ = read_in_one_file(
        reference, [("spend_gbp", "1.234,56"), ("VIC_REFERRED", "1.234"), ("VIC_SUPPORTED", "36,0"), ("VIC_SATISFIED", "84,5")]
    )
    assert read_ == {
        "spend_gbp": (pytest.approx(1234.56), None),
        "VIC_REFERRED": (pytest.approx(1234), None),
        "VIC_SUPPORTED": (pytest.approx(36), None),
        "VIC_SATISFIED": (pytest.approx(84.5), None),
    }
    alone = read_in_one_file(reference, [("spend_gbp", "36001,53"), ("VIC_SATISFIED", "0,5")])
    assert alone == {"spend_gbp": (pytest.approx(36001.53), None), "VIC_SATISFIED": (pytest.approx(0.5), None)}


def test_a_file_that_also_writes_decimal_points_keeps_its_decimal_commas_quarantined(reference):
    read_ = read_in_one_file(reference, [("spend_gbp", "1.234,56"), ("VIC_SATISFIED", "84.5"), ("VIC_REFERRED", "12,5")])
    assert read_["VIC_SATISFIED"] == (pytest.approx(84.5), None)
    assert read_["VIC_REFERRED"][0] is None and "reads two ways" in read_["VIC_REFERRED"][1]
    assert read_["spend_gbp"] == (pytest.approx(1234.56), None), "unmistakable on its own"


def test_a_uk_file_reads_a_comma_before_three_digits_as_thousands(reference):
    assert read_in_one_file(reference, [("spend_gbp", "1,234"), ("VIC_SATISFIED", "84.5")])["spend_gbp"] == (pytest.approx(1234), None)


def test_validate_return_reports_an_ambiguous_value_as_the_refresh_does(tmp_path):
    folder = tmp_path / "returns" / PERIOD
    folder.mkdir(parents=True)
    path = folder / "LEI-022.csv"
    path.write_text(f'contract_id,period,measure,value,comment\n{CONTRACT},{PERIOD},spend_gbp,"36001,53",\n', encoding="utf-8")
    check = validate_file(path, RAW)
    assert [(p["row_number"], p["column_name"]) for p in check.problems] == [(2, "value")]
    assert "36001.53" in check.problems[0]["reason"] and "3600153" in check.problems[0]["reason"]


# --- Property: never a wrong number ---------------------------------------------------------------

CONVENTIONS = {  # thousands separator, decimal separator
    "uk": (",", "."), "uk, spaces": (" ", "."), "uk, non-breaking spaces": (NBSP, "."), "uk, plain": ("", "."),
    "continental": (".", ","), "continental, spaces": (" ", ","), "continental, plain": ("", ","),
}
MEASURES = ("spend_gbp", "VIC_REFERRED", "VIC_SUPPORTED", "VIC_SATISFIED")
NUMBER_REASONS = ("reads two ways", "is not a number", "not a finite number")


def _group(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    return separator.join([digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)])


def write(value: Decimal, thousands: str, decimal: str, pound: bool, padding: bool) -> str:
    whole, _, fraction = f"{value:f}".partition(".")
    text = (_group(whole, thousands) if thousands else whole) + (decimal + fraction if fraction else "")
    return ("£" if pound else "") + text if not padding else f"  {'£' if pound else ''}{text} "


amounts = st.builds(
    lambda cents, places: Decimal(cents).scaleb(-2).quantize(Decimal(1).scaleb(-places)) if places else Decimal(cents // 100),
    st.integers(min_value=0, max_value=99_999_999_99),
    st.sampled_from([0, 1, 2]),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])  # unit tier: capped
@given(
    convention=st.sampled_from(sorted(CONVENTIONS)),
    values=st.lists(st.tuples(amounts, st.booleans(), st.booleans()), min_size=1, max_size=len(MEASURES)),
)
def test_a_number_is_read_as_meant_or_quarantined_never_misread(reference, convention, values):
    thousands, decimal = CONVENTIONS[convention]
    texts = [write(v, thousands, decimal, pound, padding) for v, pound, padding in values]
    read_ = read_in_one_file(reference, list(zip(MEASURES, texts, strict=False)))
    for measure, text, (meant, _, _) in zip(MEASURES, texts, values, strict=False):
        loaded, reason = read_[measure]
        if loaded is not None:
            assert abs(Decimal(repr(loaded)) - meant) < Decimal("0.000001"), (convention, text, loaded)
        else:
            assert reason, text
        if convention.startswith("uk"):  # the UK form always reads: only a rule about the figure may stop it
            assert loaded is not None or not any(r in reason for r in NUMBER_REASONS), (text, reason)

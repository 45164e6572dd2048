"""Reporting periods of the UK financial year (April to March), as they are written:

* a quarter, '2016-17 Q1' (Q1 = April to June .. Q4 = January to March);
* a half-year, '2016-17 H1' (April to September) or '2016-17 H2' (October to March);
* the year itself, '2016-17'.

Providers report in the rhythm their contract has (raw/reference/reporting_rhythms.csv): a
quarterly contract for each quarter, a half-yearly one for each half, an annual one for the year,
and a one-off award (`none`) not at all. This is the one definition of a period: how it is written
and read, its dates, which rhythm reports for it, and when its return is due (the
`return_due_days` setting after it ends). The models do not parse periods themselves: every
refresh writes the calendar (`raw.reporting_periods`) from here, and SQL joins it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta

from opcc.core.settings import return_due_days, setting

PERIOD_PATTERN = re.compile(r"^(?P<start>\d{4})-(?P<end>\d{2})(?: (?:Q(?P<quarter>[1-4])|H(?P<half>[12])))?$")
# The same grammar for SQL's regexp_full_match (the financial year's two years are checked beside it).
PERIOD_SQL_REGEX = r"\d{4}-\d{2}( Q[1-4]| H[12])?"
_MONTHS = ("April", "May", "June", "July", "August", "September", "October", "November", "December", "January", "February", "March")
# The kind of period each reporting rhythm returns for, and the rhythm of each kind.
RHYTHM_KINDS = {"quarterly": "quarter", "half-yearly": "half-year", "annual": "year"}
KIND_RHYTHMS = {kind: rhythm for rhythm, kind in RHYTHM_KINDS.items()}
EXAMPLES = "'2016-17 Q1', '2016-17 H1' or '2016-17'"
FIRST_START_YEAR = 1000  # the first year written with four digits


@functools.total_ordering
@dataclass(frozen=True)
class Period:
    start_year: int  # the calendar year the financial year starts in
    quarter: int = 0  # 1-4 for a quarter, else 0
    half: int = 0  # 1-2 for a half-year, else 0 (neither: the whole year)

    def __post_init__(self) -> None:
        if not (0 <= self.quarter <= 4 and 0 <= self.half <= 2) or (self.quarter and self.half):
            raise ValueError(f"no period has quarter {self.quarter} and half {self.half}")
        # Written with a four-digit year, and every day of it in the calendar: a year 0000-01 would
        # be written '0-01', and 9999-00 ends in the year 10000.
        if not FIRST_START_YEAR <= self.start_year <= date.max.year - 1:
            raise ValueError(f"financial year {self.start_year:04d}-{(self.start_year + 1) % 100:02d} is outside the years a period can be (1000-01 to 9998-99)")

    @classmethod
    def parse(cls, text: str) -> Period:
        match = PERIOD_PATTERN.match(str(text).strip())
        if not match:
            raise ValueError(f"'{text}' is not a period like {EXAMPLES}")
        start = int(match["start"])
        if int(match["end"]) != (start + 1) % 100:
            raise ValueError(f"'{text}': financial year {match['start']}-{match['end']} does not run over consecutive years")
        return cls(start, int(match["quarter"] or 0), int(match["half"] or 0))

    @classmethod
    def containing(cls, day: date, rhythm: str = "quarterly") -> Period:
        """The period of the rhythm's kind that the day falls in (a quarter unless told otherwise)."""
        start_year = day.year if day.month >= 4 else day.year - 1
        month = (day.month - 4) % 12  # 0 = April
        kind = RHYTHM_KINDS[rhythm]
        if kind == "quarter":
            return cls(start_year, month // 3 + 1)
        if kind == "half-year":
            return cls(start_year, half=month // 6 + 1)
        return cls(start_year)

    @classmethod
    def year(cls, financial_year: str) -> Period:
        period = cls.parse(financial_year)
        if period.kind != "year":
            raise ValueError(f"'{financial_year}' is not a financial year like '2016-17'")
        return period

    def __str__(self) -> str:
        if self.quarter:
            return f"{self.financial_year} Q{self.quarter}"
        if self.half:
            return f"{self.financial_year} H{self.half}"
        return self.financial_year

    def _key(self) -> tuple:
        # In the order periods end (then start): the order of the Dagster partitions, so a range of
        # them from the first to the last of some periods holds every one of those periods.
        return (self.last_day, self.first_day)

    def __lt__(self, other: Period) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._key() < other._key()

    @property
    def kind(self) -> str:
        """quarter, half-year or year."""
        return "quarter" if self.quarter else "half-year" if self.half else "year"

    @property
    def reporting_rhythm(self) -> str:
        """The rhythm whose returns are for periods of this kind (quarterly, half-yearly, annual)."""
        return KIND_RHYTHMS[self.kind]

    @property
    def financial_year(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def _first_month(self) -> int:  # 0 = April
        return 3 * (self.quarter - 1) if self.quarter else 6 * (self.half - 1) if self.half else 0

    @property
    def months_in_period(self) -> int:
        return 3 if self.quarter else 6 if self.half else 12

    @property
    def share_of_year(self) -> float:
        return self.months_in_period / 12

    @property
    def last_quarter(self) -> int:
        """The quarter of the financial year the period ends with (4 for H2 and for the year)."""
        return (self._first_month + self.months_in_period) // 3

    @property
    def quarters(self) -> list[Period]:
        first = self._first_month // 3 + 1
        return [Period(self.start_year, q) for q in range(first, self.last_quarter + 1)]

    @property
    def first_day(self) -> date:
        month = 4 + self._first_month
        return date(self.start_year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def last_day(self) -> date:
        month = 4 + self._first_month + self.months_in_period  # the month after the period
        return date(self.start_year + (month > 12), (month - 1) % 12 + 1, 1) - timedelta(days=1)

    @property
    def due(self) -> date:
        return self.last_day + timedelta(days=return_due_days())

    @property
    def months(self) -> str:
        first = _MONTHS[self._first_month]
        last = _MONTHS[self._first_month + self.months_in_period - 1]
        if self.first_day.year != self.last_day.year:
            return f"{first} {self.first_day.year} to {last} {self.last_day.year}"
        return f"{first} to {last} {self.last_day.year}"

    def next(self) -> Period:
        if self.quarter:
            return Period(self.start_year + (self.quarter == 4), self.quarter % 4 + 1)
        if self.half:
            return Period(self.start_year + (self.half == 2), half=self.half % 2 + 1)
        return Period(self.start_year + 1)

    def previous(self) -> Period:
        if self.quarter:
            return Period(self.start_year - (self.quarter == 1), (self.quarter - 2) % 4 + 1)
        if self.half:
            return Period(self.start_year - (self.half == 1), half=(self.half - 2) % 2 + 1)
        return Period(self.start_year - 1)


# How people type a period at a command line: any case and spacing, the year as '2016-17',
# '2016/17', '16/17', '2016-2017' or '16-17', the quarter or half before or after it.
_TYPED_YEAR = r"(?P<start>\d{2}|\d{4})\s*[-/]\s*(?P<end>\d{2}|\d{4})"
_TYPED_PART = r"(?:(?P<letter>[qh])\s*(?P<number>\d))"
_TYPED = [
    re.compile(rf"^{_TYPED_YEAR}\s*{_TYPED_PART}?$", re.IGNORECASE),
    re.compile(rf"^{_TYPED_PART}\s*{_TYPED_YEAR}$", re.IGNORECASE),
]


def read_typed(text: str) -> Period:
    """A period as a person types it ('2016-17 q4', '2016-17Q4', '16/17 Q4', 'Q4 2016/17'), read only
    when it can mean one period; else ValueError naming the forms that are read. Files are read
    strictly with `Period.parse`: a return's period cell is exactly what its folder says."""
    cleaned = " ".join(str(text).split())
    match = next((m for m in (pattern.match(cleaned) for pattern in _TYPED) if m), None)
    if not match:
        raise ValueError(f"'{text}' is not a period like {EXAMPLES}")
    start, end = match["start"], match["end"]
    if len(start) == 2:
        start = f"20{start}"  # a two-digit year is this century's: financial years before 2000 are not reported here
    end_short = end[-2:]
    if len(end) == 4 and int(end) != int(start) + 1:
        raise ValueError(f"'{text}': financial year {start}-{end} does not run over consecutive years")
    letter = (match["letter"] or "").upper()
    part = f" {letter}{match['number']}" if letter else ""
    return Period.parse(f"{start}-{end_short}{part}")


def is_period(text: str) -> bool:
    try:
        Period.parse(text)
    except ValueError:
        return False
    return True


def periods_between(first: Period, last: Period) -> list[Period]:
    """Every period of first's kind from first to last."""
    periods = []
    current = first
    while current <= last:
        periods.append(current)
        current = current.next()
    return periods


def falling_due(day: date, rhythm: str) -> Period | None:
    """The period of the rhythm whose returns fall due on `day` (its due date), if any."""
    if rhythm not in RHYTHM_KINDS:
        return None
    candidate = Period.containing(day - timedelta(days=return_due_days()), rhythm).previous()
    for period in (candidate, candidate.next()):
        if period.due == day:
            return period
    return None


def partition_periods(today: date | None = None) -> list[str]:
    """Every period (quarters, half-years and years) from the first_period setting's financial year to
    a year after the current quarter, in the order they end."""
    first = Period.parse(str(setting("first_period")))
    last = Period.containing(today or date.today())
    for _ in range(4):
        last = last.next()
    quarters = periods_between(Period(first.start_year, first.quarter or 1), last)
    years = sorted({q.start_year for q in quarters})
    periods = list(quarters)
    for year in years:
        for period in (Period(year, half=1), Period(year, half=2), Period(year)):
            if period.last_day <= last.last_day and period.last_day >= quarters[0].last_day:
                periods.append(period)
    return [str(p) for p in sorted(periods)]


CALENDAR_COLUMNS = (
    "period", "financial_year", "quarter", "period_start", "period_end", "due_date", "months",
    "period_kind", "reporting_rhythm", "months_in_period",
)


def calendar(periods: list[str] | None = None) -> list[tuple]:
    """One row per reporting period the warehouse knows: what the models join instead of parsing.
    `quarter` is the quarter of the financial year the period ends with (4 for H2 and the year), so
    a year-to-date figure of any period is its quarter's."""
    rows = []
    for text in periods or partition_periods():
        p = Period.parse(text)
        rows.append((
            str(p), p.financial_year, p.last_quarter, p.first_day, p.last_day, p.due, p.months,
            p.kind, p.reporting_rhythm, p.months_in_period,
        ))
    return rows

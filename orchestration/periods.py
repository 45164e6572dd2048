"""Reporting periods: UK financial-year quarters written '2016-17 Q1' (Q1 = April to June).

This is the one definition of a period: how it is written and read, its
dates, and when its returns are due (the `return_due_days` setting after the
quarter ends). The models do not parse periods themselves: every refresh
writes the calendar (`raw.reporting_periods`) from here, and SQL joins it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from .settings import return_due_days, setting

PERIOD_PATTERN = re.compile(r"^(?P<start>\d{4})-(?P<end>\d{2}) Q(?P<quarter>[1-4])$")
_MONTHS = ("April", "May", "June", "July", "August", "September", "October", "November", "December", "January", "February", "March")


@dataclass(frozen=True, order=True)
class Period:
    start_year: int  # the calendar year the financial year starts in
    quarter: int

    @classmethod
    def parse(cls, text: str) -> Period:
        match = PERIOD_PATTERN.match(text.strip())
        if not match:
            raise ValueError(f"'{text}' is not a period like '2016-17 Q1'")
        start = int(match["start"])
        if int(match["end"]) != (start + 1) % 100:
            raise ValueError(f"'{text}': financial year {match['start']}-{match['end']} does not run over consecutive years")
        return cls(start, int(match["quarter"]))

    @classmethod
    def containing(cls, day: date) -> Period:
        start_year = day.year if day.month >= 4 else day.year - 1
        return cls(start_year, (day.month - 4) % 12 // 3 + 1)

    def __str__(self) -> str:
        return f"{self.financial_year} Q{self.quarter}"

    @property
    def financial_year(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def first_day(self) -> date:
        month = 4 + 3 * (self.quarter - 1)
        return date(self.start_year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    @property
    def due(self) -> date:
        return self.last_day + timedelta(days=return_due_days())

    @property
    def months(self) -> str:
        first = _MONTHS[3 * (self.quarter - 1)]
        last = _MONTHS[3 * (self.quarter - 1) + 2]
        return f"{first} to {last} {self.last_day.year}"

    def next(self) -> Period:
        return Period(self.start_year + (self.quarter == 4), self.quarter % 4 + 1)

    def previous(self) -> Period:
        return Period(self.start_year - (self.quarter == 1), (self.quarter - 2) % 4 + 1)


def is_period(text: str) -> bool:
    try:
        Period.parse(text)
    except ValueError:
        return False
    return True


def periods_between(first: Period, last: Period) -> list[Period]:
    periods = []
    current = first
    while current <= last:
        periods.append(current)
        current = current.next()
    return periods


def partition_periods(today: date | None = None) -> list[str]:
    """Every quarter from the first_period setting to a year after the current one."""
    first = Period.parse(str(setting("first_period")))
    last = Period.containing(today or date.today())
    for _ in range(4):
        last = last.next()
    return [str(p) for p in periods_between(first, last)]


CALENDAR_COLUMNS = ("period", "financial_year", "quarter", "period_start", "period_end", "due_date", "months")


def calendar(periods: list[str] | None = None) -> list[tuple]:
    """One row per reporting period the warehouse knows: what the models join instead of parsing."""
    rows = []
    for text in periods or partition_periods():
        p = Period.parse(text)
        rows.append((str(p), p.financial_year, p.quarter, p.first_day, p.last_day, p.due, p.months))
    return rows

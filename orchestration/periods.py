"""Reporting periods: UK financial-year quarters written '2016-17 Q1' (Q1 = April to June).

Returns are due a fixed number of days after the quarter ends (20 by
default, the dbt var `return_due_days` says the same to the models).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, timedelta

PERIOD_PATTERN = re.compile(r"^(?P<start>\d{4})-(?P<end>\d{2}) Q(?P<quarter>[1-4])$")
RETURN_DUE_DAYS = 20
FIRST_PERIOD = "2016-17 Q1"
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
        return self.last_day + timedelta(days=RETURN_DUE_DAYS)

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
    """Every quarter from OPCC_FIRST_PERIOD (2016-17 Q1) to a year after the current one."""
    first = Period.parse(os.environ.get("OPCC_FIRST_PERIOD", FIRST_PERIOD))
    last = Period.containing(today or date.today())
    for _ in range(4):
        last = last.next()
    return [str(p) for p in periods_between(first, last)]

"""Schedule: the day after each period's returns are due, refresh that period.

Returns are due `return_due_days` (a setting, dbt_project.yml) after the
period ends. Every period (a quarter, a half-year, the year) ends on the last
day of a quarter, so the day after the deadline is the same day of January,
April, July and October: the cron says so, at 06:00 UK time. On that day the
quarter that ended falls due, and with it the half-year (October) or the
half-year and the year (April) when providers report in those rhythms (their
period folder is under raw/returns/). The warehouse then shows which returns
arrived, which are late and which are missing.
"""

from datetime import timedelta

import dagster as dg

from opcc.core.periods import RHYTHM_KINDS, Period, falling_due
from opcc.core.settings import raw_dir, return_due_days
from opcc.ingest.returns import returns_dir
from orchestration.defs.jobs import refresh_job
from orchestration.defs.resources import START_TAG

RUN_AT_HOUR = 6


def run_day(due_days: int) -> int:
    """Day of the month after the deadline of a quarter that ended on a month's last day."""
    return due_days + 1


def cron_for(due_days: int) -> str:
    day = run_day(due_days)
    if day > 28:
        # Past the 28th the day is not in every month: run daily, and only act on the right day.
        return f"0 {RUN_AT_HOUR} * * *"
    return f"0 {RUN_AT_HOUR} {day} 1,4,7,10 *"


def quarter_falling_due(day) -> Period | None:
    """The quarter whose returns were due the day before `day`, if any."""
    return falling_due(day - timedelta(days=1), "quarterly")


def periods_falling_due(day, raw=None) -> list[Period]:
    """Every period whose returns were due the day before `day`: the quarter, and a half-year or year
    that ended with it when its folder is under raw/returns/ (some provider reports in that rhythm)."""
    folder = returns_dir(raw or raw_dir())
    found = []
    for rhythm in RHYTHM_KINDS:
        period = falling_due(day - timedelta(days=1), rhythm)
        if period is not None and (period.kind == "quarter" or (folder / str(period)).is_dir()):
            found.append(period)
    return found


@dg.schedule(
    job=refresh_job,
    cron_schedule=cron_for(return_due_days()),
    execution_timezone="Europe/London",
    description="The day after a period's returns are due (the return_due_days setting), refresh that period: the "
    "quarter, and the half-year or year that ended with it when providers report in that rhythm.",
)
def quarterly_returns_schedule(context: dg.ScheduleEvaluationContext):
    periods = periods_falling_due(context.scheduled_execution_time.date())
    if not periods:
        return dg.SkipReason("no period's returns fell due yesterday")
    return [
        dg.RunRequest(
            run_key=f"after-deadline:{period}",
            partition_key=str(period),
            tags={START_TAG: "live", "opcc/trigger": "quarterly_returns_schedule"},
        )
        for period in periods
    ]

"""Schedule: the day after each quarter's returns are due, refresh that quarter.

Returns are due `return_due_days` (a setting, dbt_project.yml) after the
quarter ends. Every quarter ends on the last day of a month, so the day after
the deadline is the same day of January, April, July and October: the cron
says so, at 06:00 UK time. The warehouse then shows which returns arrived,
which are late and which are missing.
"""

import dagster as dg

from .jobs import refresh_job
from .periods import Period
from .resources import START_TAG
from .settings import return_due_days

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
    quarter = Period.containing(day).previous()
    return quarter if (day - quarter.due).days == 1 else None


@dg.schedule(
    job=refresh_job,
    cron_schedule=cron_for(return_due_days()),
    execution_timezone="Europe/London",
    description="The day after a quarter's returns are due (the return_due_days setting), refresh that quarter.",
)
def quarterly_returns_schedule(context: dg.ScheduleEvaluationContext):
    quarter = quarter_falling_due(context.scheduled_execution_time.date())
    if quarter is None:
        return dg.SkipReason("no quarter's returns fell due yesterday")
    return dg.RunRequest(
        run_key=f"after-deadline:{quarter}",
        partition_key=str(quarter),
        tags={START_TAG: "live", "opcc/trigger": "quarterly_returns_schedule"},
    )

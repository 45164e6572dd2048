"""Schedule: after each quarter's returns are due (20 days after quarter end), refresh that quarter.

Runs at 06:00 on 21 January, April, July and October, UK time, for the
quarter that ended the month before: the warehouse then shows which returns
arrived, which are late and which are missing.
"""

import dagster as dg

from .jobs import refresh_job
from .periods import Period
from .resources import START_TAG


@dg.schedule(
    job=refresh_job,
    cron_schedule="0 6 21 1,4,7,10 *",
    execution_timezone="Europe/London",
    description="The day after returns are due, refresh the quarter that just ended.",
)
def quarterly_returns_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    quarter = Period.containing(context.scheduled_execution_time.date()).previous()
    return dg.RunRequest(
        run_key=f"after-deadline:{quarter}",
        partition_key=str(quarter),
        tags={START_TAG: "live", "opcc/trigger": "quarterly_returns_schedule"},
    )

"""Jobs: the hourly monthly-report run (each client's report once its local month has ended) and the
rendering of one report. Operations schedule the rendering by name ("reports.render_monthly")."""
import logging

from huey import crontab

from ..core.jobs import huey, in_app_context
from .monthly import operations as monthly

log = logging.getLogger(__name__)


@huey.periodic_task(crontab(minute='5'), name='reports.monthly')
@in_app_context
def monthly_job() -> dict:
    """Hourly at :05 UTC, so every zone (whole, half or quarter hours off UTC) gets a run between 00:00
    and 01:00 on its 1st: the reports of clients whose month just ended, and any lost or failed one again."""
    counts = monthly.run_monthly()
    if any(counts.values()):
        log.info('monthly reports: %s', counts)
    return counts


@huey.task(name=monthly.RENDER_JOB)
@in_app_context
def render_monthly_job(report_id: int) -> str | None:
    return monthly.render_report(report_id)

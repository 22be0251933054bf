"""Jobs: a ticket's timer at its exact second, the minute sweep, and re-planning after changes.

Operations schedule these by name through ``core.jobs.enqueue`` ("sla.timer", ...).
"""
import logging
from datetime import datetime

from huey import crontab

from ..core.jobs import huey, in_app_context
from . import replan, timers

log = logging.getLogger(__name__)


@huey.task(name='sla.timer')
@in_app_context
def timer_job(ticket_id: int) -> int:
    return timers.fire_safely(ticket_id)


@huey.periodic_task(crontab(minute='*'), name='sla.sweep')
@in_app_context
def sweep_job() -> dict:
    """Every minute: overdue warnings and breaches fire; those of the coming minute get their job."""
    return timers.sweep()


@huey.task(name='sla.replan_client')
@in_app_context
def replan_client_job(client_id: int, since: str | None) -> int:
    changed = replan.replan_client(client_id, datetime.fromisoformat(since) if since else None)
    log.info('SLA re-plan of client %s: %s tickets changed', client_id, changed)
    return changed


@huey.task(name='sla.replan_calendar')
@in_app_context
def replan_calendar_job(calendar_id: int) -> int:
    return replan.replan_calendar(calendar_id)

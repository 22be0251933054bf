"""Jobs: offer expiry (one scheduled per offer, plus a sweep), escalation and a rebalance sweep.

Every job re-reads the timestamps in the database and changes nothing when it is
early, late, lost or repeated: the periodic sweep catches whatever a lost job missed.
"""
import logging
from datetime import timedelta, timezone

from huey import crontab

from ..core.extensions import db
from ..core.jobs import huey, in_app_context
from . import operations
from .signals import queue_changed

log = logging.getLogger(__name__)


@huey.task()
@in_app_context
def route_job(tickets, agents):
    """Route tickets and fill agents left by a committed transaction (when not routing inline)."""
    from flask import g
    g.routing_pending = ([tuple(t) for t in tickets], list(agents))
    operations.run_pending()


@huey.task()
@in_app_context
def expire_offer_job(offer_id):
    operations._safely(operations.expire_offer, offer_id)
    operations.run_pending()


@huey.task(name='routing.retry')
@in_app_context
def retry_job(ticket_id):
    """Route a waiting ticket again (its decliners' grace has passed)."""
    operations._safely(operations.route_ticket, ticket_id)
    operations.run_pending()


@huey.task(name='routing.pull')
@in_app_context
def pull_job(agent_id):
    """An agent who gained room pulls once more (other processes may have routed nothing meanwhile)."""
    operations._safely(operations.pull, agent_id)
    operations.run_pending()


@huey.periodic_task(crontab(minute='*'))
@in_app_context
def routing_sweep():
    """Every minute: expire overdue offers, escalate long waits, let idle agents pull, offer again
    what only its decliners could take; queues' service levels age, so every queue is re-announced."""
    operations.sweep_offers()
    operations.sweep_escalations()
    operations.rebalance()
    operations.reroute_excluded()
    operations.run_pending()
    queue_changed.send(None)
    db.session.commit()


def route_later(tickets, agents) -> None:
    route_job(tickets, agents)



def schedule_expiry(offer_id: int, expires_at) -> None:
    """A job at the offer's expiry time (tests move the clock and call the sweep instead)."""
    if huey.immediate:
        return
    try:
        # Huey drops the microseconds of an eta: round up, or the job runs early and does nothing.
        eta = expires_at.astimezone(timezone.utc).replace(tzinfo=None) + timedelta(seconds=1)
        eta = eta.replace(microsecond=0)
        expire_offer_job.schedule(args=(offer_id,), eta=eta)
    except Exception:  # the sweep still expires it
        log.exception('could not schedule expiry of offer %s', offer_id)

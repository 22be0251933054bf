"""Jobs: send one outbox item or delivery right after commit, and sweep whatever is due.

Each job works in its own database session (it may run inside another session's
``after_commit`` when Huey is immediate) and inside the current app if there is one.
"""
import logging
import time
from datetime import timedelta

from flask import has_app_context
from huey import crontab
from sqlalchemy.orm import Session

from ..clients import webhooks
from ..core import jobs
from ..core.extensions import db
from ..core.jobs import huey
from . import operations

log = logging.getLogger(__name__)
SWEEP_SECONDS = 50  # the sweep runs every minute


def _run(fn):
    if has_app_context():
        return _with_session(fn)
    with jobs._flask_app.app_context():
        return _with_session(fn)


def _with_session(fn):
    session = Session(db.engine)
    try:
        return fn(session)
    finally:
        session.close()


@huey.task()
def send_outbox(item_id: int) -> int:
    """Send this outbox item now, if it is still due."""
    return _run(lambda session: operations.send_due(session, [item_id]))


@huey.task()
def deliver_webhook(delivery_id: int) -> int:
    """Send this webhook delivery now, if it is still due."""
    return _run(lambda session: webhooks.send_due(session, [delivery_id]))


@huey.task(retries=5, retry_delay=300)
def notify_endpoint_disabled(subscription_id: int) -> bool:
    """E-mail the client that one of its webhook endpoints was disabled (retried when SMTP fails)."""
    from .notices import send_endpoint_disabled
    return _run(lambda session: send_endpoint_disabled(session, subscription_id))


def sweep_once(session: Session, budget_seconds: float = SWEEP_SECONDS) -> dict:
    """Send what is due (outbox first, then webhook deliveries), batch after batch, for at most
    about ``budget_seconds``; a backlog left over goes to the next sweep (or a parallel one:
    claims never overlap)."""
    counts, deadline = {'outbox': 0, 'webhooks': 0}, time.monotonic() + budget_seconds
    for name, send in (('outbox', operations.send_due), ('webhooks', webhooks.send_due)):
        while time.monotonic() < deadline:
            tried = send(session)
            counts[name] += tried
            if tried < webhooks.SWEEP_BATCH:
                break
    return counts


@huey.periodic_task(crontab(minute='*'))
def sweep() -> dict:
    """Every minute: whatever is due (retries, and rows whose immediate job was lost)."""
    counts = _run(sweep_once)
    if any(counts.values()):
        log.info('outbound sweep: %s', counts)
    return counts


def prune_once(session: Session) -> dict:
    """Delete finished deliveries and sent outbox items past the retention period."""
    keep = timedelta(days=webhooks.setting('SUPPORT_OUTBOUND_RETENTION_DAYS'))
    counts = {'outbox': operations.prune(session, keep), 'webhooks': webhooks.prune(session, keep)}
    session.commit()
    return counts


@huey.periodic_task(crontab(minute='17', hour='3'))
def prune() -> dict:
    """Daily: keep the delivery log to SUPPORT_OUTBOUND_RETENTION_DAYS (pending rows are never pruned)."""
    return _run(prune_once)

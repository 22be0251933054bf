"""Re-planning open tickets after a policy or calendar changed (run by jobs, in batches)."""
import logging
from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from ..calendars.operations import business_calendar
from ..core.extensions import db
from ..tickets.models import Ticket
from ..tickets.states import ACTIVE
from . import clocks, policies
from .models import SlaClock, SlaPolicy

log = logging.getLogger(__name__)
BATCH = 500


def replan_client(client_id: int, since: datetime | None = None, batch: int = BATCH) -> int:
    """Re-plan every open ticket of the client (opened at or after ``since``, if given); how many changed."""
    policies.forget(client_id)
    facts = policies.policies_for(client_id)
    db.session.commit()
    changed, after_id = 0, 0
    while True:
        done, after_id = _batch(client_id, facts, since, after_id, batch)
        changed += done
        if after_id is None:
            return changed


def _batch(client_id: int, facts, since, after_id: int, batch: int) -> tuple[int, int | None]:
    """One batch in its own transaction (retried once on a deadlock); ``(changed, last id or None)``."""
    for attempt in (1, 2):
        try:
            tickets = _lock_batch(client_id, since, after_id, batch)
            if not tickets:
                db.session.commit()
                return 0, None
            running, ran = _clocks_of([t.id for t in tickets])
            changed = sum(clocks.replan(t, facts, clocks=running[t.id], ran=ran[t.id]) for t in tickets)
            db.session.commit()
            return changed, tickets[-1].id
        except OperationalError:
            db.session.rollback()
            if attempt == 2:
                raise
    raise AssertionError('unreachable')


def _lock_batch(client_id: int, since, after_id: int, batch: int) -> list[Ticket]:
    query = (sa.select(Ticket).where(Ticket.client_id == client_id, Ticket.status.in_(list(ACTIVE)),
                                     Ticket.id > after_id)
             .order_by(Ticket.id).limit(batch).with_for_update(of=Ticket)
             .execution_options(populate_existing=True))
    if since is not None:
        query = query.where(Ticket.created_at >= since)
    return list(db.session.scalars(query))


def _clocks_of(ticket_ids: list[int]) -> tuple[dict, dict]:
    """The batch's running clocks (locked) and the metrics each ticket ever ran, in two queries."""
    running, ran = defaultdict(list), defaultdict(set)
    for clock in db.session.scalars(sa.select(SlaClock).where(SlaClock.ticket_id.in_(ticket_ids),
                                                              SlaClock.stopped_at.is_(None))
                                    .order_by(SlaClock.id).with_for_update()
                                    .execution_options(populate_existing=True)):
        running[clock.ticket_id].append(clock)
    for ticket_id, metric in db.session.execute(sa.select(SlaClock.ticket_id, SlaClock.metric).distinct()
                                                .where(SlaClock.ticket_id.in_(ticket_ids))):
        ran[ticket_id].add(metric)
    return running, ran


def replan_calendar(calendar_id: int) -> int:
    """Re-plan the open tickets of every client with a policy on this calendar."""
    business_calendar(calendar_id, fresh=True)  # this worker may have cached it before the change
    client_ids = db.session.scalars(sa.select(SlaPolicy.client_id).distinct()
                                    .where(SlaPolicy.calendar_id == calendar_id)).all()
    db.session.commit()
    return sum(replan_client(client_id) for client_id in client_ids)

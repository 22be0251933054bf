"""Warnings and breaches at the exact second, each fired once however many workers run.

A ticket's next timer gets a job at its second (armed by ``clocks._settle`` when near,
else by the minute sweep as it comes near); the sweep also fires whatever is overdue,
so a lost job or a stopped worker delays a timer by a minute at most and loses nothing.
Firing takes the ticket's row lock, then claims the clock with a conditional UPDATE:
the second worker to arrive finds it claimed and does nothing.
"""
import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from ..core.clock import utcnow
from ..core.extensions import db
from ..tickets.operations import SYSTEM, lock_ticket, update_ticket
from ..tickets.models import Priority
from .clocks import ARM_SECONDS, arm, mark_breached, mark_warned, running_clocks, settle
from .models import SlaClock
from .signals import sla_breached

log = logging.getLogger(__name__)
SWEEP_BATCH = 500

_TICKING = sa.and_(SlaClock.stopped_at.is_(None), SlaClock.paused_at.is_(None), SlaClock.breached_at.is_(None))


def fire_due(ticket_id: int, now: datetime | None = None) -> int:
    """Fire the warnings and breaches of this ticket that are due; how many fired (0 when early or repeated)."""
    now = now or utcnow()
    ticket = lock_ticket(ticket_id)
    if ticket is None:
        return 0
    fired = 0
    clocks = running_clocks(ticket)
    for clock in clocks:
        if clock.warned_at is None and clock.warn_at is not None and clock.warn_at <= now and clock.breached_at is None:
            fired += mark_warned(ticket, clock)
        if clock.breached_at is None and clock.paused_at is None and clock.due_at is not None and clock.due_at <= now:
            if mark_breached(ticket, clock):
                fired += 1
    if fired:
        settle(ticket, clocks)
    return fired


@sla_breached.connect
def _raise_priority(clock, ticket, policy=None, **kwargs):
    """A policy may raise the ticket's priority on breach (never lowers it)."""
    if policy is None or not policy.breach_priority:
        return
    wanted = Priority(policy.breach_priority)
    if wanted.rank > ticket.priority.rank:
        update_ticket(ticket, SYSTEM, priority=wanted)


def fire_safely(ticket_id: int, now: datetime | None = None) -> int:
    """``fire_due`` in its own transaction; a deadlock is retried once, any other failure logged."""
    for attempt in (1, 2):
        try:
            fired = fire_due(ticket_id, now)
            db.session.commit()
            return fired
        except OperationalError:
            db.session.rollback()
            if attempt == 2:
                log.exception('SLA timers of ticket %s failed twice', ticket_id)
        except Exception:
            db.session.rollback()
            log.exception('SLA timers of ticket %s failed', ticket_id)
            return 0
    return 0


def due_tickets(now: datetime, limit: int = SWEEP_BATCH) -> list[int]:
    """Tickets with a warning or breach due by ``now`` (read from the two partial timer indexes)."""
    breaches = sa.select(SlaClock.ticket_id).where(_TICKING, SlaClock.due_at <= now)
    warnings = sa.select(SlaClock.ticket_id).where(_TICKING, SlaClock.warned_at.is_(None), SlaClock.warn_at <= now)
    union = sa.union(breaches, warnings).subquery()
    return list(db.session.scalars(sa.select(union.c.ticket_id).limit(limit)))


def coming_timers(now: datetime, window: timedelta) -> dict[int, datetime]:
    """``{ticket: first timer}`` for timers falling due in ``(now, now + window]``."""
    until = now + window
    rows = db.session.execute(sa.union_all(
        sa.select(SlaClock.ticket_id, SlaClock.due_at.label('at')).where(_TICKING, SlaClock.due_at > now,
                                                                         SlaClock.due_at <= until),
        sa.select(SlaClock.ticket_id, SlaClock.warn_at.label('at')).where(
            _TICKING, SlaClock.warned_at.is_(None), SlaClock.warn_at > now, SlaClock.warn_at <= until)))
    found: dict[int, datetime] = {}
    for ticket_id, at in rows:
        found[ticket_id] = min(at, found.get(ticket_id, at))
    return found


def sweep(now: datetime | None = None) -> dict:
    """Every minute: fire what is overdue, arm exact-second jobs for what falls due before the next sweep."""
    now = now or utcnow()
    fired = 0
    for _round in range(100):
        batch = due_tickets(now)
        db.session.commit()
        done = sum(fire_safely(ticket_id, now) for ticket_id in batch)
        fired += done
        if len(batch) < SWEEP_BATCH or not done:
            break
    coming = coming_timers(now, timedelta(seconds=ARM_SECONDS))
    db.session.commit()
    for ticket_id, at in coming.items():
        arm(ticket_id, at)
    return {'fired': fired, 'armed': len(coming)}


"""Wrap-up operations: start one when an agent gives up a ticket, end it (agent, timer, offline).

A wrap-up holds the unit of the agent's capacity on the ticket's channel that the ticket
held, so routing offers nothing into it; ending it frees that unit with a conditional
update (``ended_at IS NULL``), so the agent and the timer racing free it once.
"""
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..agents.availability import free_capacity
from ..agents.models import Agent, Role
from ..agents.scope import in_scope
from ..clients.models import Client
from ..core import jobs
from ..core.clock import utcnow
from ..core.errors import Conflict, NotFound
from ..core.extensions import db
from ..core.i18n import _
from ..core.transactions import after_commit, each_in_own_transaction
from ..routing.operations import after_commit_pull
from ..tickets.models import Ticket
from .models import EndedBy, Trigger, WrapUp
from .signals import wrapup_changed

RUNNING = sa.text('wrapups.ended_at IS NULL')  # a literal, so PostgreSQL uses the partial index


def start(ticket: Ticket, agent_id: int, channel: str, trigger: str) -> WrapUp | None:
    """Begin wrap-up for ``agent_id`` on ``ticket`` (None when the client wants none or one runs already)."""
    seconds = db.session.scalar(sa.select(Client.wrapup_seconds).where(Client.id == ticket.client_id)) or 0
    if seconds <= 0 or running_on(agent_id, ticket.id) is not None:
        return None
    now = utcnow()
    wrap = WrapUp(agent_id=agent_id, ticket_id=ticket.id, client_id=ticket.client_id, channel=channel,
                  trigger=Trigger(trigger), started_at=now, due_at=now + timedelta(seconds=seconds),
                  disposition_id=ticket.disposition_id)
    try:
        with db.session.begin_nested():
            db.session.add(wrap)
            db.session.flush()
    except IntegrityError:  # another transaction started the same one
        return None
    wrapup_changed.send(wrap, event='started')
    after_commit(db.session, _schedule_end, wrap.id, wrap.due_at)
    return wrap


def _schedule_end(wrapup_id: int, due_at) -> None:
    try:
        jobs.enqueue('wrapup.end_due', wrapup_id, eta=due_at)
    except Exception:  # the minute sweep ends it
        pass


def running_on(agent_id: int, ticket_id: int) -> WrapUp | None:
    return db.session.scalar(sa.select(WrapUp).where(WrapUp.agent_id == agent_id, WrapUp.ticket_id == ticket_id,
                                                     RUNNING))


def running_of(agent_ids) -> dict[int, list[WrapUp]]:
    """Per agent, their running wrap-ups, oldest first."""
    found = {}
    if not agent_ids:
        return found
    rows = db.session.scalars(sa.select(WrapUp).where(WrapUp.agent_id.in_(list(agent_ids)), RUNNING)
                              .order_by(WrapUp.started_at, WrapUp.id))
    for wrap in rows:
        found.setdefault(wrap.agent_id, []).append(wrap)
    return found


def end(wrapup_id: int, ended_by: EndedBy) -> WrapUp | None:
    """End a running wrap-up and free its capacity (None when it had ended already)."""
    now = utcnow()  # never before the start, should the clock step back
    ended = db.session.execute(sa.update(WrapUp).where(WrapUp.id == wrapup_id, WrapUp.ended_at.is_(None))
                               .values(ended_at=sa.case((WrapUp.started_at > now, WrapUp.started_at), else_=now),
                                       ended_by=ended_by)
                               .execution_options(synchronize_session=False))
    if ended.rowcount != 1:
        return None
    wrap = db.session.get(WrapUp, wrapup_id)
    db.session.refresh(wrap)
    if ended_by != EndedBy.reopened:  # reopened: the unit now counts the ticket again
        free_capacity(wrap.agent_id, wrap.channel)
        after_commit_pull(wrap.agent_id)
    wrapup_changed.send(wrap, event='ended')
    return wrap


def visible_wrapup(wrapup_id: int, viewer: Agent) -> WrapUp:
    """A wrap-up of the viewer's own, or (supervisors) of one of their clients; 404 otherwise."""
    wrap = db.session.get(WrapUp, wrapup_id)
    if wrap is None:
        raise NotFound(_('No such wrap-up.'))
    if wrap.agent_id != viewer.id and not (viewer.has_role(Role.supervisor) and in_scope(viewer, wrap.client_id)):
        raise NotFound(_('No such wrap-up.'))
    return wrap


def end_by(wrap: WrapUp, viewer: Agent) -> WrapUp:
    """The agent (or a supervisor) ends the wrap-up now; 409 when it has ended already."""
    if end(wrap.id, EndedBy.agent) is None:
        raise Conflict(_('This wrap-up has already ended.'), code='wrapup_ended')
    return wrap


def end_due(wrapup_id: int) -> bool:
    """The timer: end the wrap-up if it is due (a no-op when early, ended or repeated)."""
    wrap = db.session.get(WrapUp, wrapup_id)
    if wrap is None or wrap.ended_at is not None or wrap.due_at > utcnow():
        return False
    return end(wrapup_id, EndedBy.timer) is not None


def sweep_due(limit: int = 500) -> int:
    """End every overdue wrap-up, each in its own transaction."""
    due = db.session.scalars(sa.select(WrapUp.id).where(RUNNING, WrapUp.due_at <= utcnow())
                             .order_by(WrapUp.due_at).limit(limit)).all()
    db.session.commit()
    return each_in_own_transaction(due, end_due, 'wrap-up')


def end_all_of(agent_id: int, ended_by: EndedBy) -> int:
    """End every running wrap-up of the agent (they went offline)."""
    ids = db.session.scalars(sa.select(WrapUp.id).where(WrapUp.agent_id == agent_id, RUNNING)).all()
    return sum(end(wrapup_id, ended_by) is not None for wrapup_id in ids)


def hand_back(ticket: Ticket, agent_id: int) -> bool:
    """A reopened ticket goes back to the agent wrapping it up: the wrap-up's capacity is the ticket's."""
    wrap = running_on(agent_id, ticket.id)
    return wrap is not None and end(wrap.id, EndedBy.reopened) is not None


def note_disposition(ticket: Ticket, agent_id: int | None) -> None:
    """The ticket's code changed: running wrap-ups on it (of ``agent_id`` when given) record it."""
    query = sa.update(WrapUp).where(WrapUp.ticket_id == ticket.id, WrapUp.ended_at.is_(None))
    if agent_id is not None:
        query = query.where(WrapUp.agent_id == agent_id)
    db.session.execute(query.values(disposition_id=ticket.disposition_id)
                       .execution_options(synchronize_session='fetch'))


def wrapup_entry(wrap: WrapUp) -> dict:
    client = db.session.get(Client, wrap.client_id)
    return {'id': wrap.id, 'agent_id': wrap.agent_id, 'ticket_id': wrap.ticket_id,
            'client': client.slug if client else None, 'channel': wrap.channel,
            'trigger': wrap.trigger.value, 'started_at': wrap.started_at.isoformat(),
            'due_at': wrap.due_at.isoformat(), 'ended_at': wrap.ended_at.isoformat() if wrap.ended_at else None,
            'ended_by': wrap.ended_by.value if wrap.ended_by else None, 'disposition_id': wrap.disposition_id,
            'seconds_left': max(0, int((wrap.due_at - utcnow()).total_seconds())) if wrap.ended_at is None else 0}

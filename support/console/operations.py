"""Read markers, the agent's own ticket list and colleagues."""
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..agents.models import Agent
from ..agents.scope import agents_in_scope
from ..core.clock import utcnow
from ..core.extensions import db
from ..tickets.payloads import ticket_summary
from ..tickets.models import Message, MessageKind, Ticket
from ..tickets.states import ACTIVE, Status
from .models import TicketRead

RECENTLY_RESOLVED = timedelta(hours=12)
MY_TICKETS_LIMIT = 200


def mark_read(agent: Agent, ticket: Ticket) -> None:
    """Remember that the agent has seen everything on this ticket up to now."""
    now = utcnow()
    row = db.session.get(TicketRead, (agent.id, ticket.id))
    if row is not None:
        row.read_at = now
        return
    try:
        with db.session.begin_nested():
            db.session.add(TicketRead(agent_id=agent.id, ticket_id=ticket.id, read_at=now))
            db.session.flush()
    except IntegrityError:  # another tab marked it at the same moment
        db.session.get(TicketRead, (agent.id, ticket.id)).read_at = now


def my_tickets(agent: Agent) -> list[dict]:
    """The agent's active (and recently resolved) tickets, newest activity first, with unread flags."""
    since = utcnow() - RECENTLY_RESOLVED
    last_message = (sa.select(Message.ticket_id, sa.func.max(Message.created_at).label('last_at'))
                    .group_by(Message.ticket_id).subquery())
    last_inbound = (sa.select(Message.ticket_id, sa.func.max(Message.created_at).label('inbound_at'))
                    .where(Message.kind == MessageKind.inbound).group_by(Message.ticket_id).subquery())
    query = (sa.select(Ticket, last_message.c.last_at, last_inbound.c.inbound_at, TicketRead.read_at)
             .outerjoin(last_message, last_message.c.ticket_id == Ticket.id)
             .outerjoin(last_inbound, last_inbound.c.ticket_id == Ticket.id)
             .outerjoin(TicketRead, sa.and_(TicketRead.ticket_id == Ticket.id, TicketRead.agent_id == agent.id))
             .where(Ticket.assignee_id == agent.id)
             .where(sa.or_(Ticket.status.in_(list(ACTIVE)),
                           sa.and_(Ticket.status == Status.resolved, Ticket.updated_at >= since)))
             .options(selectinload(Ticket.customer), selectinload(Ticket.client))
             .order_by(Ticket.updated_at.desc()).limit(MY_TICKETS_LIMIT))
    items = [_my_ticket(*row) for row in db.session.execute(query)]
    items.sort(key=lambda item: item['last_activity_at'], reverse=True)
    return items


def _my_ticket(ticket: Ticket, last_at, inbound_at, read_at) -> dict:
    item = ticket_summary(ticket)
    item['last_activity_at'] = max(ticket.updated_at, last_at) if last_at else ticket.updated_at
    item['unread'] = inbound_at is not None and (read_at is None or inbound_at > read_at)
    return item


def colleagues(viewer: Agent) -> list[Agent]:
    """Everyone active a ticket can be transferred to (who shares a client with the viewer)."""
    query = agents_in_scope(sa.select(Agent).where(Agent.active.is_(True)), viewer)
    return list(db.session.scalars(query.options(selectinload(Agent.site)).order_by(Agent.name)))

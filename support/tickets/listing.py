"""The ticket list's items, lean: one Core statement for a page and its joins, dicts in ``TicketSchema``'s shape.

Loading 50 ORM tickets and dumping them through nested marshmallow schemas cost about 20 ms of
CPU a page (and one lazy load of SLA clocks per ticket without a due time); plain rows and one
function cost a fraction. ``tests/tickets/test_listing.py`` holds the two shapes equal.
"""
import sqlalchemy as sa

from ..agents.models import Agent
from ..clients.models import Client
from .models import Customer, Ticket
from .states import Status

Assignee = sa.orm.aliased(Agent, name='assignee')

_TICKET_COLUMNS = ('id', 'channel', 'language', 'language_source', 'priority', 'status', 'subject', 'product',
                   'tags', 'external_id', 'created_at', 'updated_at', 'resolved_at', 'closed_at',
                   'sla_due_at', 'sla_warn_at')
_CUSTOMER_COLUMNS = ('id', 'name', 'email', 'phone', 'handle', 'preferred_language')


def _paused_clock():
    """Whether a running SLA clock of the ticket is paused (``sla_state`` ``paused``), read in the same
    statement; the clocks belong to support/sla, which builds on tickets, so they are found through
    the relationship sla adds rather than imported."""
    relationship = sa.inspect(Ticket).relationships.get('sla_clocks')
    if relationship is None:
        return sa.false()
    clocks = relationship.mapper.local_table
    return sa.exists().where(clocks.c.ticket_id == Ticket.id, clocks.c.stopped_at.is_(None),
                             clocks.c.paused_at.is_not(None))


def page_query():
    """``SELECT`` of what a list item shows; filters, order and limit are added by ``queries``."""
    columns = [getattr(Ticket, name) for name in _TICKET_COLUMNS]
    columns += [getattr(Customer, name).label(f'customer_{name}') for name in _CUSTOMER_COLUMNS]
    columns += [Client.slug.label('client_slug'), Assignee.id.label('assignee_id'),
                Assignee.name.label('assignee_name'),
                sa.case((Ticket.sla_due_at.is_(None), _paused_clock()), else_=sa.false()).label('sla_paused')]
    return (sa.select(*columns).select_from(Ticket)
            .join(Customer, Customer.id == Ticket.customer_id)
            .join(Client, Client.id == Ticket.client_id)
            .outerjoin(Assignee, Assignee.id == Ticket.assignee_id))


def labels() -> dict:
    """Status labels in the request's language, translated once a page."""
    return {status: str(status.label) for status in Status}


def _iso(value):
    return value.isoformat() if value is not None else None


def _sla_state(row, now) -> str | None:
    """``schemas.sla_state`` over a row."""
    if row.sla_due_at is not None:
        if row.sla_due_at <= now:
            return 'breached'
        return 'at_risk' if row.sla_warn_at is not None and row.sla_warn_at <= now else 'active'
    return 'paused' if row.sla_paused else None


def list_item(row, labels: dict, now) -> dict:
    """One ticket of a page, exactly as ``TicketSchema`` dumps it."""
    return {
        'id': row.id, 'number': row.id, 'client': row.client_slug, 'channel': row.channel.value,
        'language': row.language, 'language_source': row.language_source.value,
        'priority': row.priority.value, 'status': row.status.value, 'status_label': labels[row.status],
        'subject': row.subject, 'product': row.product, 'tags': list(row.tags or ()),
        'external_id': row.external_id,
        'customer': {name: getattr(row, f'customer_{name}') for name in _CUSTOMER_COLUMNS},
        'assignee': {'id': row.assignee_id, 'name': row.assignee_name} if row.assignee_id is not None else None,
        'created_at': _iso(row.created_at), 'updated_at': _iso(row.updated_at),
        'resolved_at': _iso(row.resolved_at), 'closed_at': _iso(row.closed_at),
        'sla_due_at': _iso(row.sla_due_at), 'sla_warn_at': _iso(row.sla_warn_at),
        'sla_state': _sla_state(row, now),
    }

"""The ticket list's items, lean: one Core statement for a page and its joins, dicts in ``TicketSchema``'s shape.

Loading 50 ORM tickets and dumping them through nested marshmallow schemas cost about 20 ms of
CPU a page (and one lazy load of SLA clocks per ticket without a due time); plain rows and one
function cost a fraction. ``tests/tickets/test_listing.py`` holds the two shapes equal.
"""
import functools

import sqlalchemy as sa
from flask_babel import get_locale

from ..agents.models import Agent
from ..clients.models import Client
from ..core import caches
from .models import Customer, Ticket
from .states import Status

_PLAIN = ('id', 'language', 'subject', 'product', 'external_id')
_ENUMS = ('channel', 'language_source', 'priority', 'status')  # read as their stored strings
_TIMES = ('created_at', 'updated_at', 'resolved_at', 'closed_at', 'sla_due_at', 'sla_warn_at')
_CUSTOMER = ('id', 'name', 'email', 'phone', 'handle', 'preferred_language')


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


@functools.cache
def page_query():
    """``SELECT`` of what a list item shows; filters, order and limit are added by ``queries``
    (built once: statements are immutable, each ``where`` makes a new one)."""
    columns = [getattr(Ticket, name) for name in _PLAIN]
    columns += [sa.type_coerce(getattr(Ticket, name), sa.String).label(name) for name in _ENUMS]
    columns += [getattr(Ticket, name) for name in _TIMES]
    columns += [Ticket.tags, Client.slug.label('client_slug'),
                Client.name.label('client_name'), Agent.id.label('assignee_id'),
                Agent.name.label('assignee_name'),
                sa.case((Ticket.sla_due_at.is_(None), _paused_clock()), else_=sa.false()).label('sla_paused')]
    columns += [getattr(Customer, name).label(f'customer_{name}') for name in _CUSTOMER]
    return (sa.select(*columns).select_from(Ticket)
            .join(Customer, Customer.id == Ticket.customer_id)
            .join(Client, Client.id == Ticket.client_id)
            .outerjoin(Agent, Agent.id == Ticket.assignee_id))  # the assignee


def labels() -> dict:
    """Status labels in the request's language (translated once per language and process)."""
    return _labels(str(get_locale() or 'en'))


@functools.lru_cache(maxsize=16)
def _labels(_locale: str) -> dict:
    return {status.value: str(status.label) for status in Status}


caches.register(_labels.cache_clear)


def _sla_state(due, warn, paused, now) -> str | None:
    """``schemas.sla_state`` over a row's values."""
    if due is not None:
        if due <= now:
            return 'breached'
        return 'at_risk' if warn is not None and warn <= now else 'active'
    return 'paused' if paused else None


def list_item(row, labels: dict, now) -> dict:
    """One ticket of a page, exactly as ``TicketSchema`` dumps it."""
    (id_, language, subject, product, external_id, channel, language_source, priority, status,
     created, updated, resolved, closed, due, warn, tags, client, client_name, assignee_id, assignee_name, paused,
     *customer) = row
    return {
        'id': id_, 'number': id_, 'client': client, 'client_name': client_name, 'channel': channel, 'language': language,
        'language_source': language_source, 'priority': priority, 'status': status,
        'status_label': labels[status], 'subject': subject, 'product': product, 'tags': list(tags or ()),
        'external_id': external_id, 'customer': dict(zip(_CUSTOMER, customer)),
        'assignee': {'id': assignee_id, 'name': assignee_name} if assignee_id is not None else None,
        'created_at': created.isoformat(), 'updated_at': updated.isoformat(),
        'resolved_at': resolved and resolved.isoformat(), 'closed_at': closed and closed.isoformat(),
        'sla_due_at': due and due.isoformat(), 'sla_warn_at': warn and warn.isoformat(),
        'sla_state': _sla_state(due, warn, paused, now),
    }

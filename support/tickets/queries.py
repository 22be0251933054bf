"""Finding tickets: filters, text search and cursor pagination."""
import base64
import json

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..agents.models import Agent
from ..agents.scope import restrict
from ..audit.operations import concerns_client
from ..clients.models import Client
from ..core.errors import NotFound, ValidationFailed
from ..core.extensions import db
from ..core.i18n import _
from .models import Customer, Message, Ticket


def visible_to(agent: Agent, query):
    """Everyone sees the tickets of the clients they work for, whatever their role (``agents.scope``)."""
    return restrict(query, Ticket.client_id, agent)


def get_visible_ticket(agent: Agent, ticket_id: int, *, for_update: bool = False) -> Ticket:
    query = visible_to(agent, sa.select(Ticket).where(Ticket.id == ticket_id))
    if for_update:
        query = query.with_for_update(of=Ticket).execution_options(populate_existing=True)
    ticket = db.session.scalar(query)
    if ticket is None:
        raise NotFound(_('Ticket {number} does not exist or is not yours to see.').format(number=ticket_id))
    concerns_client(ticket.client_id)
    return ticket


def encode_cursor(ticket_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({'before': ticket_id}).encode()).decode().rstrip('=')


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + '=' * (-len(cursor) % 4)
        before = json.loads(base64.urlsafe_b64decode(padded.encode()))['before']
        if not isinstance(before, int):
            raise ValueError
        return before
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise ValidationFailed(fields={'cursor': [_('Not a valid cursor.')]})


def search_tickets(agent: Agent, args: dict) -> tuple[list[Ticket], str | None]:
    """One page of tickets, newest first, and the cursor of the next page."""
    query = visible_to(agent, sa.select(Ticket))
    query = _apply_filters(query, agent, args)
    if args.get('cursor'):
        query = query.where(Ticket.id < decode_cursor(args['cursor']))
    limit = args['limit']
    query = (query.order_by(Ticket.id.desc()).limit(limit + 1)
             .options(selectinload(Ticket.customer), selectinload(Ticket.assignee), selectinload(Ticket.client)))
    rows = list(db.session.scalars(query))
    next_cursor = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None
    return rows[:limit], next_cursor


def _apply_filters(query, agent: Agent, args: dict):
    for name, column in (('status', Ticket.status), ('channel', Ticket.channel), ('priority', Ticket.priority)):
        if args.get(name):
            query = query.where(column.in_(args[name]))
    if args.get('language'):
        query = query.where(Ticket.language == args['language'])
    if args.get('client'):
        query = query.join(Client, Client.id == Ticket.client_id).where(Client.slug == args['client'])
    assignee = args.get('assignee')
    if assignee == 'none':
        query = query.where(Ticket.assignee_id.is_(None))
    elif assignee:
        query = query.where(Ticket.assignee_id == (agent.id if assignee == 'me' else int(assignee)))
    if args.get('q'):
        query = query.where(_text_match(args['q']))
    return query


def _text_match(text: str):
    pattern = '%' + text.replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_') + '%'
    in_messages = sa.exists().where(Message.ticket_id == Ticket.id, Message.body.ilike(pattern, escape='\\'))
    in_customer = sa.exists().where(Customer.id == Ticket.customer_id, sa.or_(
        Customer.name.ilike(pattern, escape='\\'), Customer.email.ilike(pattern, escape='\\')))
    return sa.or_(Ticket.subject.ilike(pattern, escape='\\'), in_messages, in_customer)

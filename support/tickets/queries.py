"""Finding tickets: filters, text search and cursor pagination."""
import base64
import json
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import selectinload

from ..agents.models import Agent
from ..agents.scope import client_ids, in_scope, restrict
from ..audit.operations import concerns_client
from ..clients.models import Client
from ..core import caches
from ..core.clock import utcnow
from ..core.db import BIGINT_MAX, is_postgresql
from ..core.errors import NotFound, ValidationFailed
from ..core.extensions import db
from ..core.i18n import _
from . import listing
from .models import Message, Ticket, TicketEvent


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


def encode_cursor(position: dict) -> str:
    """An opaque cursor: the sort key and id of the last row of the page."""
    return base64.urlsafe_b64encode(json.dumps(position, separators=(',', ':')).encode()).decode().rstrip('=')


def decode_cursor(cursor: str, sort: str = '-created') -> dict:
    try:
        padded = cursor + '=' * (-len(cursor) % 4)
        position = json.loads(base64.urlsafe_b64decode(padded.encode()))
        last_id = position.get('id', position.get('before')) if isinstance(position, dict) else None
        if not isinstance(last_id, int) or not 0 <= last_id <= BIGINT_MAX:  # a forged cursor names no real id
            raise ValueError
        if sort == 'due':
            due = position.get('due')
            position['due'] = None if due is None else datetime.fromisoformat(due)
            if position['due'] is not None and position['due'].tzinfo is None:
                raise ValueError
        return position
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, OverflowError):
        raise ValidationFailed(fields={'cursor': [_('Not a valid cursor.')]})


def search_tickets(agent: Agent, args: dict) -> tuple[list[dict], str | None]:
    """One page of tickets (newest first, or by next SLA due time) and the cursor of the next page.

    One statement for the page and what its items show (customer, assignee, client, paused SLA),
    read as plain rows and shaped by ``listing.list_item``: no ORM objects, no per-row loads.
    """
    sort = args.get('sort') or '-created'
    query = visible_to(agent, listing.page_query())
    query = apply_filters(query, agent, args)
    if args.get('cursor'):
        query = query.where(_after(decode_cursor(args['cursor'], sort), sort))
    limit = args['limit']
    rows = db.session.execute(query.order_by(*ORDERS[sort]).limit(limit + 1)).all()
    next_cursor = encode_cursor(_position(rows[limit - 1], sort)) if len(rows) > limit else None
    labels, now = listing.labels(), utcnow()
    return [listing.list_item(row, labels, now) for row in rows[:limit]], next_cursor


# Each order is an index's order (models.Ticket.__table_args__), so a page reads only its rows:
# NULLS LAST is the default of an ascending b-tree on PostgreSQL.
ORDERS = {'-created': (Ticket.id.desc(),),
          'due': (Ticket.sla_due_at.asc().nulls_last(), Ticket.id)}


def _position(ticket, sort: str) -> dict:
    if sort == 'due':
        return {'due': ticket.sla_due_at.isoformat() if ticket.sla_due_at else None, 'id': ticket.id}
    return {'before': ticket.id}


def _after(position: dict, sort: str):
    """Rows after the cursor in the sort's order (keyset: no OFFSET)."""
    if sort != 'due':
        return Ticket.id < position.get('before', position.get('id'))
    due, last_id = position['due'], position['id']
    if due is None:
        return sa.and_(Ticket.sla_due_at.is_(None), Ticket.id > last_id)
    return sa.or_(Ticket.sla_due_at > due, sa.and_(Ticket.sla_due_at == due, Ticket.id > last_id),
                  Ticket.sla_due_at.is_(None))


def _sla_filter(states: list[str]):
    """breached: a running clock past due; at_risk: past its warning point, not due; active: any running."""
    now = utcnow()
    conditions = {'breached': Ticket.sla_due_at <= now,
                  'at_risk': sa.and_(Ticket.sla_warn_at <= now, Ticket.sla_due_at > now),
                  'active': Ticket.sla_due_at.is_not(None)}
    return sa.or_(*(conditions[state] for state in states))


def apply_filters(query, agent: Agent, args: dict):
    """The list's filters (the arguments of ``TicketListArgs``) applied to a ``SELECT`` over tickets."""
    for name, column in (('status', Ticket.status), ('channel', Ticket.channel), ('priority', Ticket.priority)):
        if args.get(name):
            query = query.where(column.in_(args[name]))
    if args.get('language'):
        query = query.where(Ticket.language == args['language'])
    if args.get('client'):
        query = query.where(Ticket.client_id == _client_id(args['client']))
    assignee = args.get('assignee')
    if assignee == 'none':
        query = query.where(Ticket.assignee_id.is_(None))
    elif assignee:
        query = query.where(Ticket.assignee_id == (agent.id if assignee == 'me' else int(assignee)))
    if args.get('product'):
        query = query.where(Ticket.product == args['product'].strip())
    if args.get('tag'):
        query = query.where(*(has_tag(tag) for tag in args['tag']))
    if args.get('created_after'):
        query = query.where(Ticket.created_at >= args['created_after'])
    if args.get('created_before'):
        query = query.where(Ticket.created_at < args['created_before'])
    if args.get('sla'):
        query = query.where(_sla_filter(args['sla']))
    if args.get('field_filters'):
        from .fields import filter_condition
        scope = {_client_id(args['client'])} if args.get('client') else client_ids(agent)
        query = query.where(*filter_condition(scope, args['field_filters']))
    if args.get('q'):
        query = text_search(query, args['q'])
    return query


_client_ids: dict[str, int] = caches.register_dict({})


def _client_id(slug: str) -> int:
    """The id of the client with this slug (-1, which matches nothing, for an unknown slug).

    Remembered per process: a client keeps its slug and is never deleted (only deactivated);
    an unknown slug is asked again, so a client created since is found.
    """
    found = _client_ids.get(slug)
    if found is None:
        found = db.session.scalar(sa.select(Client.id).where(Client.slug == slug))
        if found is None:
            return -1
        if len(_client_ids) < 10_000:
            _client_ids[slug] = found
    return found


def has_tag(tag: str):
    """The ticket carries ``tag``: a containment test the GIN index of ``tags`` serves on PostgreSQL."""
    tag = tag.strip().lower()
    if is_postgresql(db.session):
        return sa.cast(Ticket.tags, JSONB).contains(sa.cast(sa.literal(json.dumps([tag])), JSONB))
    return sa.exists(sa.select(1).select_from(sa.func.json_each(Ticket.tags).table_valued('value'))
                     .where(sa.column('value') == tag))


def text_search(query, text: str):
    """``query`` limited to the tickets whose subject, messages or customer match ``text`` in full text
    (``search``: accents and case ignored, each text stemmed in its language; docs/search.md)."""
    from .search import matching_ticket_ids, parse_query, serial_plans
    parsed = parse_query(text)
    serial_plans()  # the statement runs in this transaction: plan it without parallel workers
    return query.where(Ticket.id.in_(matching_ticket_ids(parsed)))


def tag_suggestions(agent: Agent, client_slug: str, prefix: str = '', limit: int = 20) -> list[dict]:
    """The client's tags starting with ``prefix``: those of its latest 1,000 tickets the agent may see, most
    used first (counted in SQL), then those of its catalogue no recent ticket carries (count 0)."""
    client_id = _client_id(client_slug)
    prefix = prefix.strip().lower()
    recent = visible_to(agent, sa.select(Ticket.tags).where(Ticket.client_id == client_id))
    recent = recent.order_by(Ticket.id.desc()).limit(1000).subquery('recent')
    if is_postgresql(db.session):
        elements = sa.func.jsonb_array_elements_text(sa.cast(recent.c.tags, JSONB)).table_valued('value')
    else:
        elements = sa.func.json_each(recent.c.tags).table_valued('value')
    tag, count = elements.c.value, sa.func.count().label('count')
    query = (sa.select(tag, count).select_from(recent).join(elements, sa.true())
             .where(tag.startswith(prefix, autoescape=True) if prefix else sa.true())
             .group_by(tag).order_by(count.desc(), tag).limit(limit))
    found = [{'tag': row[0], 'count': row[1]} for row in db.session.execute(query)]
    if len(found) < limit and client_id > 0 and in_scope(agent, client_id):
        found += _catalogue_tags(client_id, prefix, {item['tag'] for item in found})[:limit - len(found)]
    return found


def _catalogue_tags(client_id: int, prefix: str, seen: set) -> list[dict]:
    client = db.session.get(Client, client_id)
    tags = sorted(tag for tag in (client.tags or []) if tag.startswith(prefix) and tag not in seen)
    return [{'tag': tag, 'count': 0} for tag in tags]


def thread_page(ticket: Ticket, after: int | None, limit: int) -> tuple[list[Message], int | None]:
    """The ticket's messages oldest first after the id ``after`` (keyset on ``(ticket_id, id)``), their
    authors and attachments loaded with the page, and the cursor of the next page."""
    query = sa.select(Message).where(Message.ticket_id == ticket.id)
    options = [selectinload(Message.author_agent)]
    attachments = sa.inspect(Message).relationships.get('attachments')  # added by channels
    if attachments is not None:
        options.append(selectinload(attachments.class_attribute))
    return _keyset_page(query.options(*options), Message.id, after, limit)


def history_page(ticket: Ticket, after: int | None, limit: int) -> tuple[list[TicketEvent], int | None]:
    """The ticket's events oldest first after the id ``after`` (keyset on ``(ticket_id, id)``)."""
    return _keyset_page(sa.select(TicketEvent).where(TicketEvent.ticket_id == ticket.id), TicketEvent.id, after, limit)


def _keyset_page(query, id_column, after, limit):
    if after is not None:
        query = query.where(id_column > after)
    rows = list(db.session.scalars(query.order_by(id_column).limit(limit + 1)))
    return rows[:limit], rows[limit - 1].id if len(rows) > limit else None

"""Finding customers and reading their story (a timeline across channels)."""
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadData, URLSafeSerializer

from ..agents.models import Agent
from ..agents.scope import restrict
from ..audit.operations import concerns_client
from ..channels.models import Call
from ..clients.models import Client
from ..core.db import BIGINT_MAX
from ..core.errors import NotFound, ValidationFailed
from ..core.extensions import db
from ..core.i18n import _
from ..csat.models import CsatResponse
from ..lab.models import Checkout
from ..tickets.models import Customer, CustomerIdentity, Message, Ticket
from ..tickets.operations import _digits
from ..tickets.queries import visible_to
from ..tickets.search import matching_customer_ids, parse_query

# Timeline kinds, in the order entries at the same instant are listed (descending).
KINDS = ('ticket', 'message', 'call', 'lab_checkout', 'csat')


def visible_customers(agent: Agent, query):
    return restrict(query, Customer.client_id, agent)


def get_visible_customer(agent: Agent, customer_id: int, *, for_update: bool = False) -> Customer:
    query = visible_customers(agent, sa.select(Customer).where(Customer.id == customer_id))
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    customer = db.session.scalar(query)
    if customer is None:
        raise NotFound(_('Customer {number} does not exist or is not yours to see.').format(number=customer_id))
    concerns_client(customer.client_id)
    return customer


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=salt)


def _decode(cursor: str, salt: str, check):
    try:
        position = _serializer(salt).loads(cursor)
        if not check(position):
            raise ValueError
        return position
    except (BadData, ValueError, TypeError, IndexError):
        raise ValidationFailed(fields={'cursor': [_('Not a valid cursor.')]})


def _valid_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= BIGINT_MAX


# Search -------------------------------------------------------------------------------------

def _identity_matches(text: str):
    """Customers holding an identity equal to ``text`` read as an e-mail, a phone or a handle."""
    text = text.strip()
    pairs = [('email', text.lower()), ('handle', text.lower().lstrip('@')), ('handle', text.lower())]
    digits = _digits(text)
    if len(digits) >= 5 and not any(ch.isalpha() for ch in text):
        pairs.append(('phone', digits))
    return sa.select(CustomerIdentity.customer_id).where(
        sa.tuple_(CustomerIdentity.kind, CustomerIdentity.value).in_(pairs))


def _text_matches(text: str):
    """Customers whose name, e-mail, phone or handle match ``text`` in full text (the last word as a prefix)."""
    words = text.strip()
    if words and not words.endswith(('*', '"', ' ')):
        words += '*'
    return matching_customer_ids(parse_query(words))


def search_customers(agent: Agent, args: dict) -> tuple[list[Customer], str | None]:
    """A page of the customers ``agent`` may see, newest first, matching ``q`` and of ``client``."""
    query = visible_customers(agent, sa.select(Customer))
    if args.get('client'):
        client_id = db.session.scalar(sa.select(Client.id).where(Client.slug == args['client']))
        query = query.where(Customer.client_id == (client_id if client_id is not None else -1))
    if args.get('q'):
        query = query.where(sa.or_(Customer.id.in_(_identity_matches(args['q'])),
                                   Customer.id.in_(_text_matches(args['q']))))
    if args.get('cursor'):
        before = _decode(args['cursor'], 'support.customers.list', _valid_id)
        query = query.where(Customer.id < before)
    limit = args['limit']
    customers = db.session.scalars(query.order_by(Customer.id.desc()).limit(limit + 1)).all()
    more = len(customers) > limit
    customers = customers[:limit]
    return customers, (_serializer('support.customers.list').dumps(customers[-1].id) if more else None)


# Timeline -----------------------------------------------------------------------------------

def _entries(customer_id: int):
    """``(at, kind, id, ticket_id)`` of everything in the customer's story, as one UNION ALL."""
    own = sa.select(Ticket.id).where(Ticket.customer_id == customer_id)
    return sa.union_all(
        sa.select(Ticket.created_at.label('at'), sa.literal('ticket').label('kind'), Ticket.id.label('id'),
                  Ticket.id.label('ticket_id')).where(Ticket.customer_id == customer_id),
        sa.select(Message.created_at, sa.literal('message'), Message.id, Message.ticket_id)
        .where(Message.ticket_id.in_(own)),
        sa.select(sa.func.coalesce(Call.ringing_at, Call.created_at), sa.literal('call'), Call.id, Call.ticket_id)
        .where(Call.ticket_id.in_(own)),
        sa.select(Checkout.checked_out_at, sa.literal('lab_checkout'), Checkout.id, Checkout.ticket_id)
        .where(Checkout.ticket_id.in_(own)),
        sa.select(CsatResponse.answered_at, sa.literal('csat'), CsatResponse.id, CsatResponse.ticket_id)
        .where(CsatResponse.ticket_id.in_(own)),
    ).subquery('story')


def _timeline_position(position) -> bool:
    at, kind, entry_id = position
    datetime.fromisoformat(at)
    return kind in KINDS and _valid_id(entry_id)


def timeline(agent: Agent, customer: Customer, args: dict) -> tuple[list[dict], str | None]:
    """The customer's story, newest first: tickets, their messages, calls, lab checkouts, CSAT answers
    (keyset pages)."""
    story = _entries(customer.id)
    query = sa.select(story).where(story.c.ticket_id.in_(visible_to(agent, sa.select(Ticket.id).where(
        Ticket.customer_id == customer.id))))
    if args.get('cursor'):
        at, kind, entry_id = _decode(args['cursor'], 'support.customers.timeline', _timeline_position)
        at = datetime.fromisoformat(at)
        query = query.where(sa.or_(story.c.at < at, sa.and_(story.c.at == at, story.c.kind < kind),
                                   sa.and_(story.c.at == at, story.c.kind == kind, story.c.id < entry_id)))
    limit = args['limit']
    rows = db.session.execute(query.order_by(story.c.at.desc(), story.c.kind.desc(), story.c.id.desc())
                              .limit(limit + 1)).all()
    more, rows = len(rows) > limit, rows[:limit]
    cursor = (_serializer('support.customers.timeline').dumps([rows[-1].at.isoformat(), rows[-1].kind,
                                                                rows[-1].id]) if more else None)
    return _details(rows), cursor


def _by_id(model, ids):
    return {row.id: row for row in db.session.scalars(sa.select(model).where(model.id.in_(ids)))} if ids else {}


def _details(rows) -> list[dict]:
    """Each entry with what it shows: the ticket it belongs to, and the message, call or checkout."""
    wanted = {kind: [row.id for row in rows if row.kind == kind] for kind in KINDS}
    tickets = _by_id(Ticket, list({row.ticket_id for row in rows}))
    messages, calls, checkouts = _by_id(Message, wanted['message']), _by_id(Call, wanted['call']), \
        _by_id(Checkout, wanted['lab_checkout'])
    answers = _by_id(CsatResponse, wanted['csat'])
    entries = []
    for row in rows:
        entry = {'kind': row.kind, 'id': row.id, 'at': row.at, 'ticket': tickets[row.ticket_id],
                 'message': messages.get(row.id) if row.kind == 'message' else None,
                 'call': calls.get(row.id) if row.kind == 'call' else None,
                 'lab_checkout': checkouts.get(row.id) if row.kind == 'lab_checkout' else None,
                 'csat': answers.get(row.id) if row.kind == 'csat' else None}
        entries.append(entry)
    return entries


# Duplicates ---------------------------------------------------------------------------------

def _contact_values(customer: Customer) -> set[tuple[str, str]]:
    values = {(identity.kind, identity.value) for identity in customer.identities}
    if customer.email:
        values.add(('email', customer.email.strip().lower()))
    if customer.phone and _digits(customer.phone):
        values.add(('phone', _digits(customer.phone)))
    return {pair for pair in values if pair[0] in ('email', 'phone')}


def duplicates(agent: Agent, customer: Customer) -> list[dict]:
    """Other customers of the same client with the same e-mail or phone (an identity or their own fields)."""
    values = _contact_values(customer)
    if not values:
        return []
    emails = [value for kind, value in values if kind == 'email']
    others = visible_customers(agent, sa.select(Customer).where(
        Customer.client_id == customer.client_id, Customer.id != customer.id, sa.or_(
            Customer.id.in_(sa.select(CustomerIdentity.customer_id).where(
                CustomerIdentity.client_id == customer.client_id,
                sa.tuple_(CustomerIdentity.kind, CustomerIdentity.value).in_(sorted(values)))),
            sa.func.lower(Customer.email).in_(emails or ['']),
            Customer.phone.in_([customer.phone] if customer.phone else ['']))))
    found = []
    for other in db.session.scalars(others.order_by(Customer.id)):
        shared = sorted(values & _contact_values(other))
        found.append({'customer': other, 'reasons': [{'kind': kind, 'value': value} for kind, value in shared]})
    return found

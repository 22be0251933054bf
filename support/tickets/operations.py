"""Ticket operations: ingest, change, reply, note. Transactions and invariants live here."""
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import object_session
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..clients.models import Client
from ..core import onestatement
from ..core.clock import utcnow
from ..core.db import is_postgresql
from ..core.errors import Conflict
from ..core.extensions import db
from ..core.i18n import _
from . import dispositions, fields as ticket_fields, language
from .models import (Channel, Customer, CustomerIdentity, LanguageSource, Message, MessageKind, Priority,
                     Ticket, TicketEvent)
from .signals import message_added, ticket_created, ticket_opening, ticket_updated
from .states import Status, check_transition


@dataclass(frozen=True)
class Actor:
    """Who did something: an agent, a client system, a customer or the system itself."""

    type: str
    id: int | None = None
    name: str | None = None

    @classmethod
    def agent(cls, agent):
        return cls('agent', agent.id, agent.name)

    @classmethod
    def client(cls, client):
        return cls('client', client.id, client.name)


SYSTEM = Actor('system', None, 'system')


@dataclass
class CustomerContact:
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    handle: str | None = None

    def identities(self) -> list[tuple[str, str]]:
        found = [('email', (self.email or '').strip().lower()), ('phone', _digits(self.phone)),
                 ('handle', (self.handle or '').strip().lower())]
        return [(kind, value) for kind, value in found if value]


@dataclass
class InboundTicket:
    """A normalised new ticket, whatever channel or client system it came from."""

    channel: Channel
    subject: str
    body: str
    customer: CustomerContact
    language: str | None = None
    priority: Priority = Priority.normal
    product: str | None = None
    tags: list[str] = field(default_factory=list)
    external_id: str | None = None
    # Custom field values ``{name: value}`` (support/tickets/fields.py), checked against the client's fields.
    fields: dict = field(default_factory=dict)
    # Whether the fields the client requires on create must be among them: the client's own
    # intake API, not a channel that has no way to carry them (an e-mail, an SMS).
    fields_required: bool = False


def _digits(phone: str | None) -> str:
    if not phone:
        return ''
    digits = ''.join(ch for ch in phone if ch.isdigit())
    return ('+' + digits) if digits else ''


def record(ticket: Ticket, kind: str, actor: Actor, before=None, after=None) -> TicketEvent:
    """Append an event to the ticket's history."""
    entry = TicketEvent(ticket=ticket, kind=kind, actor_type=actor.type, actor_id=actor.id,
                        actor_name=actor.name, before=before, after=after, created_at=utcnow())
    db.session.add(entry)
    return entry


def mark_opened(*objects) -> None:
    """Remember that these rows were created by the current transaction (see ``opened_here``)."""
    for obj in objects:
        session = object_session(obj)
        obj._opened_in = session.get_transaction() if session is not None else None


def opened_here(obj) -> bool:
    """Whether ``obj`` was created by its session's current transaction: nobody else has seen it yet,
    so what this transaction holds in memory about it is all there is (no query, no lock needed)."""
    session = object_session(obj)
    return session is not None and getattr(obj, '_opened_in', None) is session.get_transaction()


def find_or_create_customer(client: Client, contact: CustomerContact, language: str | None = None) -> Customer:
    """The customer any of these identities belongs to, else a new one (flushed).

    Identities are unique per client; they are inserted with ON CONFLICT DO NOTHING,
    so two requests creating the same new customer at once never fail: the one that
    lost keeps the winner's customer and drops its own empty row.
    """
    staged = _stage_customer(client, contact, language)
    db.session.flush()
    customer = _settle_identities(client.id, staged)
    if customer is not staged.customer:
        db.session.delete(staged.customer)
    return customer


@dataclass
class _StagedCustomer:
    customer: Customer
    identities: list[tuple[str, str]]
    owners: dict


def _stage_customer(client: Client, contact: CustomerContact, language: str | None) -> _StagedCustomer:
    """Find the customer by identity, or add a new one to the session (not flushed)."""
    identities = contact.identities()
    owners = _identity_owners(client.id, identities)
    if owners:
        customer = owners[next(pair for pair in identities if pair in owners)]
    else:
        customer = Customer(client_id=client.id, name=contact.name, email=contact.email, phone=contact.phone,
                            handle=contact.handle, preferred_language=language)
        db.session.add(customer)
    for attr in ('name', 'email', 'phone', 'handle'):
        if getattr(customer, attr) is None and getattr(contact, attr):
            setattr(customer, attr, getattr(contact, attr))
    return _StagedCustomer(customer, identities, owners)


def _write_opening(client_id: int, staged: _StagedCustomer) -> Customer:
    """Write the new ticket with everything added to the session for it; the customer to keep.

    On PostgreSQL customer, ticket, first message, history, SLA clocks and the customer's new
    identities go in one statement (``core.onestatement``); elsewhere in one flush, then the
    identities.
    """
    missing = [pair for pair in staged.identities if pair not in staged.owners]
    session = db.session()
    if is_postgresql(session) and onestatement.can_insert(session):
        identities = [{'client_id': client_id, 'customer_id': staged.customer, 'kind': kind, 'value': value}
                      for kind, value in missing]
        claimed = onestatement.insert_as_one(session, list(session.new), extra=[
            ('identities', CustomerIdentity.__table__, identities, True)] if missing else [])
        return _settle_identities(client_id, staged, claimed.get('identities', 0))
    db.session.flush()  # customer, ticket, message, history (and what receivers added) in one flush
    return _settle_identities(client_id, staged)


def _settle_identities(client_id: int, staged: _StagedCustomer, claimed: int | None = None) -> Customer:
    """Claim the identities nobody holds yet (customer flushed); the customer to keep."""
    missing = [pair for pair in staged.identities if pair not in staged.owners]
    if missing and claimed is None:
        claimed = _claim_identities(client_id, staged.customer.id, missing)
    if not missing or claimed == len(missing) or staged.owners:
        return staged.customer
    # Another request created this customer at the same moment: keep theirs.
    holders = list(_identity_owners(client_id, staged.identities).values())
    winner = next((holder for holder in holders if holder.id != staged.customer.id), None)
    if winner is None or any(holder.id == staged.customer.id for holder in holders):
        return staged.customer
    return winner


def _identity_owners(client_id: int, identities) -> dict[tuple[str, str], Customer]:
    if not identities:
        return {}
    # One query for the identities and their customers.
    rows = db.session.execute(
        sa.select(CustomerIdentity.kind, CustomerIdentity.value, Customer)
        .join(Customer, Customer.id == CustomerIdentity.customer_id)
        .where(CustomerIdentity.client_id == client_id,
               sa.tuple_(CustomerIdentity.kind, CustomerIdentity.value).in_(identities)))
    return {(kind, value): customer for kind, value, customer in rows}


def _claim_identities(client_id: int, customer_id: int, pairs) -> int:
    """Insert identities nobody holds yet (``INSERT ... ON CONFLICT DO NOTHING RETURNING id``);
    returns how many were ours to take.

    The rows go as parameter sets of one statement (SQLAlchemy sends them as one multi-row
    INSERT), not as a multi-row ``values()``, whose compiled form SQLAlchemy cannot cache.
    """
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql_insert if dialect == 'postgresql' else sqlite_insert)(CustomerIdentity)
    rows = [{'client_id': client_id, 'customer_id': customer_id, 'kind': kind, 'value': value}
            for kind, value in pairs]
    return len(db.session.execute(insert.on_conflict_do_nothing().returning(CustomerIdentity.id), rows).all())


def decide_language(given: str | None, detected: str | None, customer: Customer,
                    client: Client) -> tuple[str, LanguageSource]:
    """The ticket's language and how it was decided (``detected``: what the text says, if anything)."""
    if given:
        return given, LanguageSource.given
    if detected:
        return detected, LanguageSource.detected
    if customer.preferred_language:
        return customer.preferred_language, LanguageSource.customer
    return client.default_language, LanguageSource.client_default


def open_ticket(client: Client, inbound: InboundTicket, actor: Actor) -> Ticket:
    """Create a ticket with its first inbound message (flushed, not committed).

    Its custom fields are checked first (a 422 before anything is written).
    """
    checked = ticket_fields.check_values(client.id, inbound.fields) if inbound.fields else {}
    if inbound.fields_required:
        ticket_fields.check_required_on_create(client.id, checked)
    text_language = inbound.language or language.detect(f'{inbound.subject}\n{inbound.body}')
    staged = _stage_customer(client, inbound.customer, text_language)
    customer = staged.customer
    lang, source = decide_language(inbound.language, text_language, customer, client)
    if customer.preferred_language is None and text_language:
        customer.preferred_language = lang
    now = utcnow()
    ticket = Ticket(client=client, customer=customer, channel=inbound.channel, language=lang,
                    language_source=source, priority=inbound.priority, status=Status.new,
                    subject=inbound.subject, product=inbound.product, tags=_clean_tags(inbound.tags),
                    external_id=inbound.external_id, created_at=now, updated_at=now)
    db.session.add(ticket)
    message = Message(ticket=ticket, kind=MessageKind.inbound, author_customer=customer,
                      body=inbound.body, language=lang, created_at=now)
    db.session.add(message)
    opened = {'status': ticket.status.value, 'language': lang, 'language_source': source.value,
              'channel': ticket.channel.value, 'priority': ticket.priority.value}
    written = ticket_fields.apply(ticket, checked) if checked else None
    if written:
        opened['fields'] = written[1]
    record(ticket, 'created', actor, after=opened)
    ticket_opening.send(ticket)
    settled = _write_opening(client.id, staged)
    mark_opened(ticket, *([] if staged.owners else [staged.customer]))
    if settled is not customer:
        ticket.customer = message.author_customer = settled
        db.session.flush()
        db.session.delete(customer)
    ticket_created.send(ticket, message=message, actor=actor)
    return ticket


def _clean_tags(tags) -> list[str]:
    seen = []
    for tag in tags or []:
        tag = tag.strip().lower()
        if tag and tag not in seen:
            seen.append(tag)
    return seen


def lock_ticket(ticket_id: int) -> Ticket | None:
    """Load a ticket for change, holding its row lock until commit."""
    return db.session.scalar(sa.select(Ticket).where(Ticket.id == ticket_id).with_for_update()
                             .execution_options(populate_existing=True))


UNSET = object()


def update_ticket(ticket: Ticket, actor: Actor, *, status: Status | None = None,
                  priority: Priority | None = None, tags: list[str] | None = None,
                  product: str | None = None, disposition_id=UNSET, fields: dict | None = None) -> dict:
    """Change fields of a ticket; every change is recorded. Returns ``{field: (before, after)}``.

    The disposition code and the custom ``fields`` (``{name: value}``, null clears one) are set
    before the status moves, so one change can give what a client requires and resolve (an
    agent resolving without it gets a 422). Custom fields change as ``fields``:
    ``({name: before}, {name: after})`` of the names that changed.
    """
    changes = {}
    if disposition_id is not UNSET and disposition_id != ticket.disposition_id:
        changes['disposition'] = _set_disposition(ticket, disposition_id)
    if fields:
        written = ticket_fields.apply(ticket, ticket_fields.check_values(ticket.client_id, fields))
        if written:
            changes['fields'] = written
    if status is not None and status != ticket.status:
        if status == Status.resolved and actor.type == 'agent':
            dispositions.check_required(ticket)
            ticket_fields.check_required_before_resolve(ticket)
        changes['status'] = (ticket.status.value, _move(ticket, status))
    if priority is not None and priority != ticket.priority:
        changes['priority'] = (ticket.priority.value, priority.value)
        ticket.priority = priority
    if tags is not None and _clean_tags(tags) != ticket.tags:
        changes['tags'] = (list(ticket.tags), _clean_tags(tags))
        ticket.tags = changes['tags'][1]
    if product is not None and product != ticket.product:
        changes['product'] = (ticket.product, product)
        ticket.product = product
    if changes:
        ticket.updated_at = utcnow()
        for name, (before, after) in changes.items():
            record(ticket, f'{name}_changed', actor, before={name: before}, after={name: after})
        ticket_updated.send(ticket, changes=changes, actor=actor)
    return changes


def set_fields(ticket: Ticket, values: dict, actor: Actor) -> dict:
    """Set custom field values ``{name: value}`` (null clears one) on a locked ticket, recorded in its
    history (``fields_changed``), told live and to the client; ``{name: (before, after)}`` of what changed.

    For agents' changes, intake and macros alike: the values are checked against the ticket's
    client's active fields (support/tickets/fields.py), a wrong one is a 422 naming it. Not committed.
    """
    changes = update_ticket(ticket, actor, fields=values)
    if 'fields' not in changes:
        return {}
    before, after = changes['fields']
    return {name: (before.get(name), after.get(name)) for name in after}


def _set_disposition(ticket: Ticket, disposition_id: int | None) -> tuple:
    """``(code before, code after)``; a closed ticket keeps its code."""
    if ticket.status == Status.closed:
        raise Conflict(_('A closed ticket keeps its disposition code.'), code='ticket_closed')
    before = db.session.get(dispositions.Disposition, ticket.disposition_id) if ticket.disposition_id else None
    after = dispositions.choosable(ticket, disposition_id) if disposition_id is not None else None
    ticket.disposition_id = after.id if after else None
    return (before.code if before else None, after.code if after else None)


def _move(ticket: Ticket, target: Status) -> str:
    check_transition(ticket.status, target)
    ticket.status = target
    now = utcnow()
    if target == Status.resolved:
        ticket.resolved_at = now
    elif target == Status.closed:
        ticket.closed_at = now
    elif target == Status.open:
        ticket.resolved_at = None
    return target.value


def add_agent_message(ticket: Ticket, agent, body: str, kind: MessageKind,
                      status: Status | None = None) -> Message:
    """A reply to the customer or an internal note; a reply opens a new ticket."""
    actor = Actor.agent(agent)
    now = utcnow()
    message = Message(ticket=ticket, kind=kind, author_agent_id=agent.id, body=body,
                      language=ticket.language if kind == MessageKind.outbound else None, created_at=now)
    db.session.add(message)
    db.session.flush()
    record(ticket, 'reply_added' if kind == MessageKind.outbound else 'note_added', actor,
           after={'message_id': message.id})
    ticket.updated_at = now
    target = status or (Status.open if kind == MessageKind.outbound and ticket.status == Status.new else None)
    message_added.send(ticket, message=message, actor=actor)
    if kind == MessageKind.outbound and ticket.status == Status.new and target not in (None, Status.open):
        update_ticket(ticket, actor, status=Status.open)  # answered: a new ticket is open, then e.g. pending
    if target is not None and target != ticket.status:
        update_ticket(ticket, actor, status=target)
    return message


def add_customer_message(ticket: Ticket, body: str, actor: Actor) -> Message:
    """A customer's reply on an existing ticket; reopens it when it was resolved."""
    now = utcnow()
    message = Message(ticket=ticket, kind=MessageKind.inbound, author_customer_id=ticket.customer_id,
                      body=body, language=language.detect(body) or ticket.language, created_at=now)
    db.session.add(message)
    db.session.flush()
    ticket.updated_at = now
    record(ticket, 'customer_replied', actor, after={'message_id': message.id})
    message_added.send(ticket, message=message, actor=actor)
    if ticket.status in (Status.resolved, Status.pending):
        update_ticket(ticket, actor, status=Status.open)
    return message


def ingest(client: Client, inbound: InboundTicket, actor: Actor, *,
           idempotency_key: str | None = None, fingerprint: str | None = None) -> tuple[Ticket, bool]:
    """Open a ticket from a client system or channel and commit; ``(ticket, created)``.

    With an idempotency key, a retry (even one racing the first request in another
    process) returns the first ticket and creates nothing.
    """
    from ..core import idempotency
    scope = f'client:{client.id}'
    claim = None
    if idempotency_key:
        claim = idempotency.claim(db.session, scope, idempotency_key, fingerprint)
        if claim is None:
            ticket_id = idempotency.earlier_result(db.session, scope, idempotency_key, fingerprint)
            return db.session.get(Ticket, ticket_id), False
    ticket = open_ticket(db.session.merge(client), inbound, actor)
    if claim is not None:
        claim.resource_id = ticket.id
    _commit_keeping_loaded()
    return ticket, True


def _commit_keeping_loaded() -> None:
    """Commit without expiring what we just wrote, so the response needs no reloads."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True

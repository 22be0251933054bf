"""Ticket operations: ingest, change, reply, note. Transactions and invariants live here."""
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..clients.models import Client
from ..core.clock import utcnow
from ..core.extensions import db
from . import language
from .models import (Channel, Customer, CustomerIdentity, LanguageSource, Message, MessageKind, Priority,
                     Ticket, TicketEvent)
from .signals import message_added, ticket_created, ticket_updated
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


def find_or_create_customer(client: Client, contact: CustomerContact) -> Customer:
    """The customer any of these identities belongs to, else a new one.

    Identities are unique per client, so two requests creating the same new
    customer at once cannot both succeed: the loser finds the winner's row.
    """
    identities = contact.identities()
    customer = _customer_by_identity(client.id, identities)
    if customer is None:
        try:
            with db.session.begin_nested():
                customer = Customer(client_id=client.id, name=contact.name, email=contact.email,
                                    phone=contact.phone, handle=contact.handle)
                db.session.add(customer)
                db.session.flush()
                for kind, value in identities:
                    db.session.add(CustomerIdentity(client_id=client.id, customer=customer, kind=kind, value=value))
                db.session.flush()
        except IntegrityError:
            customer = _customer_by_identity(client.id, identities)
    _complete_identities(client.id, customer, contact, identities)
    return customer


def _customer_by_identity(client_id: int, identities) -> Customer | None:
    for kind, value in identities:
        customer = db.session.scalar(
            sa.select(Customer).join(CustomerIdentity)
            .where(CustomerIdentity.client_id == client_id, CustomerIdentity.kind == kind,
                   CustomerIdentity.value == value))
        if customer is not None:
            return customer
    return None


def _complete_identities(client_id: int, customer: Customer, contact: CustomerContact, identities) -> None:
    """Learn contacts a known customer gives for the first time (a phone, say)."""
    known = {(i.kind, i.value) for i in customer.identities}
    for kind, value in identities:
        if (kind, value) in known:
            continue
        try:
            with db.session.begin_nested():
                db.session.add(CustomerIdentity(client_id=client_id, customer=customer, kind=kind, value=value))
                db.session.flush()
        except IntegrityError:
            pass  # it belongs to another customer record; keep both as they are
    for attr in ('name', 'email', 'phone', 'handle'):
        if getattr(customer, attr) is None and getattr(contact, attr):
            setattr(customer, attr, getattr(contact, attr))


def decide_language(given: str | None, text: str, customer: Customer, client: Client) -> tuple[str, LanguageSource]:
    """The ticket's language and how it was decided."""
    if given:
        return given, LanguageSource.given
    detected = language.detect(text)
    if detected:
        return detected, LanguageSource.detected
    if customer.preferred_language:
        return customer.preferred_language, LanguageSource.customer
    return client.default_language, LanguageSource.client_default


def open_ticket(client: Client, inbound: InboundTicket, actor: Actor) -> Ticket:
    """Create a ticket with its first inbound message (flushed, not committed)."""
    customer = find_or_create_customer(client, inbound.customer)
    lang, source = decide_language(inbound.language, f'{inbound.subject}\n{inbound.body}', customer, client)
    if customer.preferred_language is None and source in (LanguageSource.given, LanguageSource.detected):
        customer.preferred_language = lang
    now = utcnow()
    ticket = Ticket(client_id=client.id, customer=customer, channel=inbound.channel, language=lang,
                    language_source=source, priority=inbound.priority, status=Status.new,
                    subject=inbound.subject, product=inbound.product, tags=_clean_tags(inbound.tags),
                    external_id=inbound.external_id, created_at=now, updated_at=now)
    db.session.add(ticket)
    message = Message(ticket=ticket, kind=MessageKind.inbound, author_customer_id=customer.id,
                      body=inbound.body, language=lang, created_at=now)
    db.session.add(message)
    db.session.flush()
    record(ticket, 'created', actor, after={'status': ticket.status.value, 'language': lang,
                                             'language_source': source.value, 'channel': ticket.channel.value,
                                             'priority': ticket.priority.value})
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


def update_ticket(ticket: Ticket, actor: Actor, *, status: Status | None = None,
                  priority: Priority | None = None, tags: list[str] | None = None,
                  product: str | None = None) -> dict:
    """Change fields of a ticket; every change is recorded. Returns ``{field: (before, after)}``."""
    changes = {}
    if status is not None and status != ticket.status:
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
    db.session.commit()
    return ticket, True

"""The one intake every channel adapter ends in: dedupe by the provider's id, thread
into the open ticket of the conversation or open one, store attachments.

Operations flush and never commit; the adapter's view commits once per delivery (a
Meta batch commits all its items together, or none).
"""
import hashlib
import re
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from ..clients.models import Client
from ..core.clock import utcnow
from ..core.extensions import db
from ..tickets.models import Channel, Customer, Message, Ticket
from ..tickets.operations import (Actor, CustomerContact, InboundTicket, add_customer_message,
                                  find_or_create_customer, lock_ticket, open_ticket)
from ..tickets.states import Status
from .models import Attachment, ConversationThread, InboundDelivery, WebhookNonce

MAX_SUBJECT = 120


@dataclass
class IncomingFile:
    filename: str
    content_type: str
    data: bytes


@dataclass
class InboundMessage:
    """A message as an adapter understood it, whatever the provider's format."""

    channel: Channel
    namespace: str                      # whose ids these are: email, meta, twilio, chat, phone
    external_id: str                    # the provider's id of this delivery
    body: str
    customer: CustomerContact
    subject: str | None = None
    language: str | None = None
    thread_key: str | None = None       # a conversation: one open ticket per key
    references: list[str] = field(default_factory=list)   # ids it answers, best first (email)
    ticket_number: int | None = None    # a "[#123]" token in an email subject
    attachments: list[IncomingFile] = field(default_factory=list)
    may_open: bool = True               # False: an auto-reply only joins a ticket it answers
    tags: list[str] = field(default_factory=list)   # for a new ticket (e.g. "instagram")
    fields: dict = field(default_factory=dict)      # custom fields for a new ticket (a pre-chat form)


@dataclass
class Receipt:
    """What became of one delivery: ``duplicate`` when it had been processed before;
    no ticket when an auto-reply answered nothing of ours (it is dropped)."""

    ticket: Ticket | None
    message: Message | None
    duplicate: bool = False
    opened: bool = False


def _fit(external_id: str) -> str:
    """Provider ids longer than the column are stored as their SHA-256."""
    return external_id if len(external_id) <= 255 else 'sha256:' + hashlib.sha256(external_id.encode()).hexdigest()


def claim_delivery(client_id: int, namespace: str, external_id: str) -> int | None:
    """Record a delivery as processed in this transaction (its id), or ``None`` if it already was.

    One ``INSERT ... ON CONFLICT DO NOTHING``: the unique index decides. A concurrent retry
    waits for the first transaction (PostgreSQL) and then inserts nothing; on SQLite writers
    are serialised.
    """
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql_insert if dialect == 'postgresql' else sqlite_insert)(InboundDelivery)
    statement = (insert.values(client_id=client_id, namespace=namespace, external_id=_fit(external_id),
                               created_at=utcnow()).on_conflict_do_nothing().returning(InboundDelivery.id))
    return db.session.execute(statement).scalar()


def earlier_delivery(client_id: int, namespace: str, external_id: str) -> InboundDelivery | None:
    return db.session.scalar(sa.select(InboundDelivery).filter_by(
        client_id=client_id, namespace=namespace, external_id=_fit(external_id)))


def use_nonce(provider: str, value: str) -> bool:
    """Spend a one-time token; ``False`` when it was spent before (a replay)."""
    try:
        with db.session.begin_nested():
            db.session.add(WebhookNonce(provider=provider, value=value, created_at=utcnow()))
            db.session.flush()
    except IntegrityError:
        return False
    return True


def forget_nonces(older_than: timedelta) -> int:
    """Drop spent tokens too old to pass the timestamp check anyway."""
    result = db.session.execute(sa.delete(WebhookNonce).where(WebhookNonce.created_at < utcnow() - older_than))
    return result.rowcount or 0


def receive(client: Client, inbound: InboundMessage) -> Receipt:
    """Thread one inbound message into its ticket or open one, once per provider id."""
    delivery_id = claim_delivery(client.id, inbound.namespace, inbound.external_id)
    if delivery_id is None:
        earlier = earlier_delivery(client.id, inbound.namespace, inbound.external_id)
        ticket = db.session.get(Ticket, earlier.ticket_id) if earlier and earlier.ticket_id else None
        return Receipt(ticket, None, duplicate=True)
    customer = find_or_create_customer(client, inbound.customer)
    actor = Actor('customer', customer.id, customer.name or _contact_label(inbound.customer))
    receipt = _deliver(client, customer, inbound, actor)
    if receipt.ticket is None:
        return receipt
    _store_attachments(receipt.message, inbound.attachments)
    db.session.flush()
    db.session.execute(sa.update(InboundDelivery).where(InboundDelivery.id == delivery_id)
                       .values(ticket_id=receipt.ticket.id, message_id=receipt.message.id)
                       .execution_options(synchronize_session=False))
    return receipt


# Domains on top that may take an inbound message before it threads: ``fn(client, customer, inbound,
# actor) -> (ticket, message) | None`` (support/csat takes a "reply 1 to 5" rating this way).
_reply_takers: list = []


def reply_taker(fn):
    """Register ``fn`` to look at every new inbound message first (see ``_reply_takers``)."""
    _reply_takers.append(fn)
    return fn


def _taken(client: Client, customer: Customer, inbound: InboundMessage, actor: Actor) -> Receipt | None:
    for taker in _reply_takers:
        taken = taker(client, customer, inbound, actor)
        if taken is not None:
            return Receipt(*taken)
    return None


def _deliver(client: Client, customer: Customer, inbound: InboundMessage, actor: Actor) -> Receipt:
    taken = _taken(client, customer, inbound, actor)
    if taken is not None:
        return taken
    thread, ticket = lock_conversation(client.id, inbound.thread_key) if inbound.thread_key else (None, None)
    if thread is None or ticket is None:
        ticket = thread.ticket if thread is not None else find_email_thread(client, customer, inbound)
        ticket = lock_ticket(ticket.id) if ticket is not None else None
    if ticket is not None and ticket.status != Status.closed:
        message = add_customer_message(ticket, inbound.body, actor)
        message.author_customer_id = customer.id
        return Receipt(ticket, message)
    if not inbound.may_open:
        return Receipt(None, None)
    ticket = open_ticket(client, InboundTicket(
        channel=inbound.channel, subject=inbound.subject or subject_from(inbound), body=inbound.body,
        customer=inbound.customer, language=inbound.language, tags=inbound.tags, fields=inbound.fields), actor)
    if thread is not None:
        thread.ticket_id, thread.updated_at = ticket.id, utcnow()
    return Receipt(ticket, first_message(ticket), opened=True)


def lock_conversation(client_id: int, key: str) -> tuple[ConversationThread, Ticket | None]:
    """The conversation's row and its ticket, both locked until commit (one query when it has one)."""
    found = db.session.execute(
        sa.select(ConversationThread, Ticket).join(Ticket, Ticket.id == ConversationThread.ticket_id)
        .where(ConversationThread.client_id == client_id, ConversationThread.key == key[:255])
        .with_for_update().execution_options(populate_existing=True)).first()
    if found is not None:
        return found[0], found[1]
    return lock_thread(client_id, key), None


def lock_thread(client_id: int, key: str) -> ConversationThread:
    """The conversation's row, locked until commit (created on first use)."""
    query = (sa.select(ConversationThread).filter_by(client_id=client_id, key=key[:255]).with_for_update()
             .execution_options(populate_existing=True))
    thread = db.session.scalar(query)
    if thread is not None:
        return thread
    try:
        with db.session.begin_nested():
            thread = ConversationThread(client_id=client_id, key=key[:255], updated_at=utcnow())
            db.session.add(thread)
            db.session.flush()
    except IntegrityError:
        thread = db.session.scalar(query)
    return thread


def find_email_thread(client: Client, customer: Customer, inbound: InboundMessage) -> Ticket | None:
    """The ticket a reply belongs to: by the ids it answers, then by "[#n]" in the subject."""
    for reference in inbound.references:
        ticket = db.session.scalar(
            sa.select(Ticket).join(InboundDelivery, InboundDelivery.ticket_id == Ticket.id)
            .where(InboundDelivery.client_id == client.id, InboundDelivery.namespace == inbound.namespace,
                   InboundDelivery.external_id == _fit(reference), Ticket.status != Status.closed))
        if ticket is None and hasattr(Message, 'email_message_id'):  # one of our own replies
            ticket = db.session.scalar(
                sa.select(Ticket).join(Message, Message.ticket_id == Ticket.id)
                .where(Ticket.client_id == client.id, Message.email_message_id.in_([f'<{reference}>', reference]),
                       Ticket.status != Status.closed))
        if ticket is not None:
            return ticket
    if inbound.ticket_number:
        # Only the ticket's own customer may add to it by quoting its number.
        return db.session.scalar(sa.select(Ticket).where(
            Ticket.id == inbound.ticket_number, Ticket.client_id == client.id,
            Ticket.customer_id == customer.id, Ticket.status != Status.closed))
    return None


def first_message(ticket: Ticket) -> Message:
    loaded = sa.inspect(ticket).dict.get('messages')
    if loaded:  # a ticket opened in this transaction: its first message is in memory
        return loaded[0]
    return db.session.scalar(sa.select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id))


def subject_from(inbound: InboundMessage) -> str:
    """A subject for chat-like channels: the first line of the text, else who wrote."""
    for line in inbound.body.splitlines():
        line = ' '.join(line.split())
        if line:
            return line if len(line) <= MAX_SUBJECT else line[:MAX_SUBJECT - 1] + '…'
    return f'{inbound.channel.value} · {_contact_label(inbound.customer)}'


def _contact_label(contact: CustomerContact) -> str:
    return contact.name or contact.email or contact.phone or contact.handle or '?'


def _store_attachments(message: Message, files: list[IncomingFile]) -> None:
    for item in files:
        db.session.add(Attachment(message=message, filename=item.filename, content_type=item.content_type,
                                  size=len(item.data), sha256=hashlib.sha256(item.data).hexdigest(),
                                  data=item.data, created_at=utcnow()))


SUBJECT_NUMBER = re.compile(r'\[#(\d{1,12})\]')


def ticket_number_in(subject: str | None) -> int | None:
    """The number of a "[#123]" token in a subject, if any."""
    match = SUBJECT_NUMBER.search(subject or '')
    return int(match.group(1)) if match else None

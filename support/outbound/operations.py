"""Replies and acknowledgements back to the customer's channel, through an outbox.

``queue_reply``/``acknowledge`` run inside the transaction that adds the message: they
decide the route (SMTP or the client's endpoint), render what is sent and write an
``OutboxItem``. After commit a job sends it (``send_due``); failures are retried
with backoff, and a permanent failure marks the message and tells the agents live.
"""
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..clients import webhooks
from ..clients.models import Client
from ..clients.signals import delivery_attempted
from ..core import retry
from ..core.caches import TTLCache
from ..core.transactions import after_commit
from ..core.clock import utcnow
from ..core.live import agent_room, publish, supervisor_rooms
from ..tickets.models import Channel, Message, MessageKind, Ticket
from . import http, smtp, templates
from .models import AckTemplate, OutboundSettings, OutboxItem, OutboxKind, OutboxStatus, ReplyEndpoint, Transport

ACKNOWLEDGED_CHANNELS = (Channel.email, Channel.web)
DEFAULTS = {
    'SUPPORT_SMTP_URL': None,
    'SUPPORT_MAIL_FROM': 'support@localhost',
    'SUPPORT_MAIL_FROM_NAME': 'Support',
    'SUPPORT_REPLY_MAX_ATTEMPTS': 8,
    'SUPPORT_REPLY_BACKOFF_BASE': 30,
    'SUPPORT_REPLY_BACKOFF_CAP': 1800,
}
webhooks.DEFAULTS.update(DEFAULTS)
setting = webhooks.setting


class DeliveryState:
    pending = 'pending'
    sent = 'sent'
    failed = 'failed'


# --- deciding and writing -------------------------------------------------------------

def settings_for(session: Session, client_id: int) -> OutboundSettings:
    """The client's outbound settings (defaults when none were saved; not added to the session)."""
    return session.get(OutboundSettings, client_id) or OutboundSettings(client_id=client_id, acknowledgements=True)


def endpoint_for(session: Session, client_id: int, channel: Channel) -> ReplyEndpoint | None:
    return session.scalar(sa.select(ReplyEndpoint).filter_by(client_id=client_id, channel=channel, active=True))


@dataclass(frozen=True)
class OutboundFacts:
    """What deciding a route needs of a client's outbound configuration (cached per process)."""

    acknowledgements: bool
    email_from: str | None
    email_from_name: str | None
    endpoint_channels: frozenset


# client id -> OutboundFacts; forgotten when its settings or reply endpoints change (see core.caches).
_facts = TTLCache('outbound.facts')
_facts.watch(OutboundSettings, ReplyEndpoint, key=lambda row: row.client_id)


def outbound_facts(session: Session, client_id: int) -> OutboundFacts:
    return _facts.get(client_id, lambda: _load_facts(session, client_id))


def _load_facts(session: Session, client_id: int) -> OutboundFacts:
    settings = settings_for(session, client_id)
    channels = session.scalars(sa.select(ReplyEndpoint.channel).filter_by(client_id=client_id, active=True))
    return OutboundFacts(settings.acknowledgements, settings.email_from, settings.email_from_name,
                         frozenset(channels))


def _route(session: Session, ticket: Ticket) -> tuple[Transport | None, str | None]:
    """How a message on this ticket reaches the customer, or ``(None, reason)``."""
    if ticket.channel == Channel.email:
        return (Transport.smtp, None) if ticket.customer.email else (None, 'the customer has no e-mail address')
    if ticket.channel in outbound_facts(session, ticket.client_id).endpoint_channels:
        return Transport.http, None
    if ticket.channel == Channel.web and ticket.customer.email:
        return Transport.smtp, None
    return None, f'no reply endpoint is configured for {ticket.channel.value} tickets of this client'


def queue_reply(session: Session, ticket: Ticket, message: Message, send_job=None) -> OutboxItem | None:
    """Owe an agent's reply to the customer's channel (in the caller's transaction)."""
    transport, reason = _route(session, ticket)
    if transport is None:
        message.delivery_status = DeliveryState.failed
        _announce_failure(session, ticket, message, OutboxKind.reply, reason, 0)
        return None
    subject = templates.reply_subject(ticket.language, ticket.subject, ticket.number)
    body = message.body
    if transport == Transport.smtp:
        body = f'{body}\n\n-- \n{templates.reply_footer(ticket.language, ticket.number)}'
    return _queue(session, ticket, message, OutboxKind.reply, transport, subject, body, send_job)


def acknowledge(session: Session, ticket: Ticket, send_job=None) -> OutboxItem | None:
    """Acknowledge a new ticket on an asynchronous channel in the customer's language."""
    if ticket.channel not in ACKNOWLEDGED_CHANNELS or not outbound_facts(session, ticket.client_id).acknowledgements:
        return None
    transport, _reason = _route(session, ticket)
    if transport is None or (transport == Transport.smtp and not setting('SUPPORT_SMTP_URL')):
        return None  # nowhere to send it; an acknowledgement is a courtesy, not a reply
    subject, body = acknowledgement_text(session, ticket)
    message = Message(ticket=ticket, kind=MessageKind.outbound, body=body, language=ticket.language,
                      created_at=utcnow())
    session.add(message)
    session.flush()
    return _queue(session, ticket, message, OutboxKind.acknowledgement, transport, subject, body, send_job)


def queue_notice(session: Session, ticket: Ticket, kind: OutboxKind, subject: str, body: str,
                 stored_body: str | None = None, send_job=None) -> tuple[Message | None, str | None]:
    """A message of ours (no agent's) to the customer's channel: ``(message, None)`` or ``(None, reason)``.

    ``stored_body`` is what the ticket's thread shows when it differs from what is sent (a survey's
    signed links are for the customer only).
    """
    transport, reason = _route(session, ticket)
    if transport == Transport.smtp and not setting('SUPPORT_SMTP_URL'):
        transport, reason = None, 'no SMTP server is configured (SUPPORT_SMTP_URL)'
    if transport is None:
        return None, reason
    message = Message(ticket=ticket, kind=MessageKind.outbound, body=stored_body or body, language=ticket.language,
                      created_at=utcnow())
    session.add(message)
    session.flush()
    _queue(session, ticket, message, kind, transport, subject, body, send_job)
    return message, None


def acknowledgement_text(session: Session, ticket: Ticket) -> tuple[str, str]:
    """The acknowledgement's ``(subject, body)`` for this ticket: the client's template or ours."""
    custom = session.scalar(sa.select(AckTemplate).filter_by(client_id=ticket.client_id, language=ticket.language))
    subject, body = (custom.subject, custom.body) if custom else templates.default_ack(ticket.language)
    client = session.get(Client, ticket.client_id)
    values = {'number': ticket.number, 'subject': ticket.subject, 'client': client.name,
              'name': ticket.customer.name or templates.anonymous_name(ticket.language)}
    return templates.render(subject, values), templates.render(body, values)


def _queue(session, ticket, message, kind, transport, subject, body, send_job) -> OutboxItem:
    if transport == Transport.smtp:
        envelope = _email_envelope(session, ticket, message, kind, subject, body)
    else:
        envelope = http.document(ticket, message, kind.value, subject, body)
    now = utcnow()
    item = OutboxItem(message_id=message.id, ticket_id=ticket.id, client_id=ticket.client_id, kind=kind,
                      transport=transport, channel=ticket.channel, envelope=envelope,
                      status=OutboxStatus.pending, attempts=0, next_attempt_at=now, created_at=now)
    session.add(item)
    message.delivery_status = DeliveryState.pending
    session.flush()
    if send_job is not None:
        after_commit(session, send_job, item.id)
    return item


def _email_envelope(session, ticket, message, kind, subject, body) -> dict:
    settings = outbound_facts(session, ticket.client_id)
    sender = settings.email_from or setting('SUPPORT_MAIL_FROM')
    message.email_message_id = smtp.new_message_id(sender, f't{ticket.id}.m{message.id}')
    headers = {'X-Support-Ticket': str(ticket.number)}
    if kind == OutboxKind.acknowledgement:
        headers['Auto-Submitted'] = 'auto-replied'  # RFC 3834: auto-responders must not answer it
    elif kind != OutboxKind.reply:
        headers['Auto-Submitted'] = 'auto-generated'
    return {'from': sender, 'from_name': settings.email_from_name or setting('SUPPORT_MAIL_FROM_NAME'),
            'to': ticket.customer.email, 'to_name': ticket.customer.name, 'subject': subject, 'body': body,
            'message_id': message.email_message_id, 'language': ticket.language, 'headers': headers}


def with_thread_headers(session: Session, item: OutboxItem) -> dict:
    """The envelope with ``In-Reply-To``/``References``, decided when sending: by then the e-mail
    adapter has recorded the Message-Id of the customer's e-mail that opened the ticket."""
    thread = thread_ids(session, item.ticket_id, before_message_id=item.message_id)
    return {**item.envelope, 'in_reply_to': thread[-1] if thread else None, 'references': thread[-10:]}


def thread_ids(session: Session, ticket_id: int, before_message_id: int) -> list[str]:
    """The ticket's e-mail Message-IDs before this message, oldest first: ours, and the
    customer's that the e-mail adapter recorded."""
    found = list(session.execute(sa.select(Message.id, Message.email_message_id).where(
        Message.ticket_id == ticket_id, Message.id < before_message_id, Message.email_message_id.is_not(None))))
    found += _inbound_ids(session, ticket_id, before_message_id)
    ordered = [msgid for _id, msgid in sorted(found, key=lambda pair: pair[0] or 0)]
    return list(dict.fromkeys(_bracketed(m) for m in ordered))


def _inbound_ids(session: Session, ticket_id: int, before_message_id: int) -> list[tuple[int, str]]:
    try:
        from ..channels.models import InboundDelivery
    except ImportError:  # the e-mail adapter is optional for this module
        return []
    return list(session.execute(sa.select(InboundDelivery.message_id, InboundDelivery.external_id).where(
        InboundDelivery.ticket_id == ticket_id, InboundDelivery.namespace == 'email',
        InboundDelivery.message_id < before_message_id)))


def files_of(session: Session, message_id: int) -> list[tuple[str, str, bytes]]:
    """``(name, type, bytes)`` of the files an agent attached to this reply (``channels.reply_files``)."""
    try:
        from ..channels.models import Attachment
    except ImportError:  # the channels domain is optional for this module
        return []
    rows = session.execute(sa.select(Attachment.filename, Attachment.content_type, Attachment.data)
                           .where(Attachment.message_id == message_id).order_by(Attachment.id))
    return [tuple(row) for row in rows]


def _bracketed(msgid: str) -> str:
    msgid = msgid.strip()
    return msgid if msgid.startswith('<') else f'<{msgid}>'


# --- sending --------------------------------------------------------------------------

@dataclass
class _Outgoing:
    transport: Transport
    envelope: dict
    endpoint: http.Endpoint | None
    key_id: str | None
    secret: str | None


def send_due(session: Session, ids=None, limit: int = webhooks.SWEEP_BATCH) -> int:
    """Claim due outbox items (all, or these ``ids``) and send them; how many were tried."""
    claimed = retry.claim_due(session, OutboxItem, utcnow(), limit, ids)
    for item_id, attempt in claimed:
        _attempt(session, item_id, attempt)
    return len(claimed)


def _attempt(session: Session, item_id: int, attempt: int) -> None:
    outgoing = _load(session, item_id)
    session.commit()  # no transaction (nor SQLite write lock) is held while we talk to the network
    if outgoing is None:
        return  # the ticket was deleted meanwhile
    error, permanent = _send(outgoing)
    _record(session, item_id, attempt, error, permanent)
    session.commit()


def _load(session: Session, item_id: int) -> _Outgoing | None:
    item = session.get(OutboxItem, item_id)
    if item is None:
        return None
    if item.transport == Transport.smtp:
        envelope = {**with_thread_headers(session, item), 'attachments': files_of(session, item.message_id)}
        return _Outgoing(item.transport, envelope, None, None, None)
    row = endpoint_for(session, item.client_id, item.channel)
    endpoint = http.Endpoint(row.url, row.format, row.account, row.secret, row.sender) if row else None
    key = webhooks.signing_key(session, item.client_id)
    return _Outgoing(item.transport, item.envelope, endpoint, key.key_id if key else None,
                     key.secret if key else None)


def _send(outgoing: _Outgoing) -> tuple[str | None, bool]:
    """``(error, permanent)``; ``(None, False)`` when it went."""
    timeout = setting('SUPPORT_OUTBOUND_TIMEOUT')
    if outgoing.transport == Transport.smtp:
        try:
            smtp.send(setting('SUPPORT_SMTP_URL'), outgoing.envelope, timeout)
        except smtp.SendError as exc:
            return str(exc), exc.permanent
        return None, False
    return http.send(outgoing.endpoint, outgoing.envelope, outgoing.key_id, outgoing.secret)


def _record(session: Session, item_id: int, attempt: int, error: str | None, permanent: bool) -> None:
    item = retry.load_claimed(session, OutboxItem, item_id, attempt)
    if item is None:
        return  # another worker re-claimed it after our lease ran out
    item.last_error = error
    if error is None:
        item.status, item.sent_at, item.next_attempt_at = OutboxStatus.sent, utcnow(), None
        item.message.delivery_status = DeliveryState.sent
    elif permanent or attempt >= setting('SUPPORT_REPLY_MAX_ATTEMPTS'):
        item.status, item.next_attempt_at = OutboxStatus.failed, None
        item.message.delivery_status = DeliveryState.failed
        _announce_failure(session, item.message.ticket, item.message, item.kind, error, attempt)
    else:
        item.next_attempt_at = utcnow() + retry_delay(attempt)
    outcome = 'sent' if error is None else 'failed' if item.status == OutboxStatus.failed else 'retry'
    delivery_attempted.send(item, session=session, kind=item.kind.value, transport=item.transport.value,
                            result=outcome)


def retry_delay(attempt: int) -> timedelta:
    """Wait after the ``attempt``-th failed send: 30 s doubling up to 30 min (configurable)."""
    return retry.backoff(attempt, timedelta(seconds=setting('SUPPORT_REPLY_BACKOFF_BASE')),
                         timedelta(seconds=setting('SUPPORT_REPLY_BACKOFF_CAP')))


def _announce_failure(session, ticket, message, kind, error, attempts) -> None:
    """Live event ``message.delivery_failed`` to supervisors and the agents concerned."""
    rooms = supervisor_rooms(ticket.client_id) + [agent_room(agent_id) for agent_id in
                                                  dict.fromkeys((ticket.assignee_id, message.author_agent_id))
                                                  if agent_id]
    publish(session, 'message.delivery_failed', {
        'ticket_id': ticket.id, 'number': ticket.number, 'message_id': message.id, 'kind': kind.value,
        'channel': ticket.channel.value, 'error': error, 'attempts': attempts}, rooms)


def prune(session: Session, older_than: timedelta) -> int:
    """Forget sent outbox items older than ``older_than`` (the messages themselves stay)."""
    result = session.execute(sa.delete(OutboxItem).where(
        OutboxItem.status == OutboxStatus.sent, OutboxItem.created_at < utcnow() - older_than))
    return result.rowcount or 0

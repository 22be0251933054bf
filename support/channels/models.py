"""Channel adapters' data: per-client provider configuration, processed deliveries,
conversation threads, stored attachments and the phone call log."""
import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, backref, deferred, mapped_column, relationship

from ..agents.models import Agent
from ..clients.models import Client
from ..core.clock import utcnow
from ..core.crypto import Encrypted
from ..core.db import Base, BigId, big_pk, enum_type
from ..tickets.models import Message, Ticket


class Provider(str, enum.Enum):
    """A provider whose webhooks a client points at us (chat and phone sign with client keys)."""

    mailgun = 'mailgun'
    meta = 'meta'
    twilio = 'twilio'


class AddressKind(str, enum.Enum):
    email = 'email'    # a Mailgun recipient address
    page = 'page'      # a Facebook page id or an Instagram professional account id
    phone = 'phone'    # a Twilio number (E.164), used for SMS and WhatsApp


PROVIDER_ADDRESS = {Provider.mailgun: AddressKind.email, Provider.meta: AddressKind.page,
                    Provider.twilio: AddressKind.phone}


class ChannelConfig(Base):
    """One provider account of a client: the secret that signs its webhooks and its addresses."""

    __tablename__ = 'channel_configs'

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey('clients.id', ondelete='CASCADE'), index=True)
    provider: Mapped[Provider] = mapped_column(enum_type(Provider))
    name: Mapped[str | None] = mapped_column(sa.String(120))
    # Mailgun signing key, Meta app secret or Twilio auth token: the HMAC needs it, so it is
    # stored encrypted (core.crypto) and never returned by the API after creation.
    secret: Mapped[str] = mapped_column(Encrypted())
    # Meta's hub.verify_token, kept as a SHA-256 so the handshake can look it up.
    verify_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    account_sid: Mapped[str | None] = mapped_column(sa.String(64))   # Twilio AccountSid
    public_url: Mapped[str | None] = mapped_column(sa.String(500))   # Twilio: URL as Twilio signs it
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    client: Mapped[Client] = relationship()
    addresses: Mapped[list['ChannelAddress']] = relationship(
        back_populates='config', order_by='ChannelAddress.id', cascade='all, delete-orphan')


class ChannelAddress(Base):
    """Where a provider delivers (an address, a page, a number); tells which client it is."""

    __tablename__ = 'channel_addresses'
    __table_args__ = (sa.UniqueConstraint('kind', 'value'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    config_id: Mapped[int] = mapped_column(sa.ForeignKey('channel_configs.id', ondelete='CASCADE'), index=True)
    kind: Mapped[AddressKind] = mapped_column(enum_type(AddressKind))
    value: Mapped[str] = mapped_column(sa.String(254))

    config: Mapped[ChannelConfig] = relationship(back_populates='addresses')


class InboundDelivery(Base):
    """A provider delivery we processed, by the provider's own id: the unique index
    makes a retry (even one racing the first) change nothing. Email Message-Ids are
    also how replies find their ticket."""

    __tablename__ = 'inbound_deliveries'
    __table_args__ = (sa.UniqueConstraint('client_id', 'namespace', 'external_id'),)

    id: Mapped[int] = big_pk()
    client_id: Mapped[int] = mapped_column(sa.ForeignKey('clients.id', ondelete='CASCADE'))
    namespace: Mapped[str] = mapped_column(sa.String(16))   # email, meta, twilio, chat, phone
    external_id: Mapped[str] = mapped_column(sa.String(255))
    ticket_id: Mapped[int | None] = mapped_column(BigId, sa.ForeignKey('tickets.id', ondelete='CASCADE'), index=True)
    message_id: Mapped[int | None] = mapped_column(BigId, sa.ForeignKey('messages.id', ondelete='CASCADE'), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookNonce(Base):
    """A provider's one-time token (Mailgun ``token``); a second use is a replay."""

    __tablename__ = 'webhook_nonces'
    __table_args__ = (sa.UniqueConstraint('provider', 'value'),)

    id: Mapped[int] = big_pk()
    provider: Mapped[str] = mapped_column(sa.String(16))
    value: Mapped[str] = mapped_column(sa.String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ConversationThread(Base):
    """A conversation (a phone number, a Messenger sender, a chat) and its open ticket.

    The row is locked while a message is threaded, so two messages of one new
    conversation arriving together still make one ticket.
    """

    __tablename__ = 'conversation_threads'
    __table_args__ = (sa.UniqueConstraint('client_id', 'key'),)

    id: Mapped[int] = big_pk()
    client_id: Mapped[int] = mapped_column(sa.ForeignKey('clients.id', ondelete='CASCADE'))
    key: Mapped[str] = mapped_column(sa.String(255))
    ticket_id: Mapped[int | None] = mapped_column(BigId, sa.ForeignKey('tickets.id', ondelete='SET NULL'))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket | None] = relationship()


class Attachment(Base):
    """A file that came with an inbound message, stored in the database with it."""

    __tablename__ = 'attachments'

    id: Mapped[int] = big_pk()
    message_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey('messages.id', ondelete='CASCADE'), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    data: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary, nullable=False))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    message: Mapped[Message] = relationship(backref=backref('attachments', order_by='Attachment.id'))


class CallStatus(str, enum.Enum):
    ringing = 'ringing'
    answered = 'answered'
    ended = 'ended'


class Call(Base):
    """The call log of one phone call, on the ticket (and message) it became."""

    __tablename__ = 'calls'
    __table_args__ = (sa.UniqueConstraint('client_id', 'call_id'),)

    id: Mapped[int] = big_pk()
    client_id: Mapped[int] = mapped_column(sa.ForeignKey('clients.id', ondelete='CASCADE'))
    call_id: Mapped[str] = mapped_column(sa.String(128))
    ticket_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey('tickets.id', ondelete='CASCADE'), index=True)
    message_id: Mapped[int | None] = mapped_column(BigId, sa.ForeignKey('messages.id', ondelete='SET NULL'))
    from_number: Mapped[str] = mapped_column(sa.String(32))
    to_number: Mapped[str | None] = mapped_column(sa.String(32))
    status: Mapped[CallStatus] = mapped_column(enum_type(CallStatus))
    agent_id: Mapped[int | None] = mapped_column(sa.ForeignKey('agents.id', ondelete='SET NULL'))
    agent_name: Mapped[str | None] = mapped_column(sa.String(120))
    ringing_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    duration_seconds: Mapped[int | None]
    disposition: Mapped[str | None] = mapped_column(sa.String(64))
    recording_url: Mapped[str | None] = mapped_column(sa.String(1000))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    agent: Mapped[Agent | None] = relationship()

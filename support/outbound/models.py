"""How replies leave: per-client settings, reply endpoints, acknowledgement templates, the outbox."""
import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.crypto import Encrypted
from ..core.db import Base, BigId, big_pk, enum_type
from ..tickets.models import Channel, Message


class Transport(str, enum.Enum):
    smtp = 'smtp'    # e-mail through SUPPORT_SMTP_URL
    http = 'http'    # a signed POST to the client's reply endpoint or a provider's API URL


class EndpointFormat(str, enum.Enum):
    signed_json = 'signed_json'  # our JSON document, signed like intake (the client's own system)
    twilio = 'twilio'            # Twilio's Messages API (SMS, WhatsApp): form post, HTTP Basic auth
    meta = 'meta'                # Meta's Send API (Messenger, Instagram): JSON, page access token


class OutboxKind(str, enum.Enum):
    reply = 'reply'
    acknowledgement = 'acknowledgement'
    survey = 'survey'    # the satisfaction question after a resolve (support/csat)


class OutboxStatus(str, enum.Enum):
    pending = 'pending'
    sent = 'sent'
    failed = 'failed'


class OutboundSettings(Base):
    """A client's sender identity and whether new tickets are acknowledged."""

    __tablename__ = 'outbound_settings'

    client_id: Mapped[int] = mapped_column(sa.ForeignKey('clients.id', ondelete='CASCADE'), primary_key=True)
    email_from: Mapped[str | None] = mapped_column(sa.String(254))
    email_from_name: Mapped[str | None] = mapped_column(sa.String(120))
    acknowledgements: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReplyEndpoint(Base):
    """Where replies on one channel of one client go: the client's system or a provider API URL."""

    __tablename__ = 'reply_endpoints'
    __table_args__ = (sa.UniqueConstraint('client_id', 'channel'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey('clients.id', ondelete='CASCADE'))
    channel: Mapped[Channel] = mapped_column(enum_type(Channel))
    url: Mapped[str] = mapped_column(sa.String(2000))
    format: Mapped[EndpointFormat] = mapped_column(enum_type(EndpointFormat), default=EndpointFormat.signed_json)
    account: Mapped[str | None] = mapped_column(sa.String(64))   # Twilio Account SID
    # Twilio auth token or Meta page access token: needed to call the provider; stored encrypted,
    # never returned.
    secret: Mapped[str | None] = mapped_column(Encrypted())
    sender: Mapped[str | None] = mapped_column(sa.String(64))    # Twilio From number
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AckTemplate(Base):
    """A client's own acknowledgement text in one language (the built-in one applies otherwise)."""

    __tablename__ = 'ack_templates'
    __table_args__ = (sa.UniqueConstraint('client_id', 'language'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey('clients.id', ondelete='CASCADE'))
    language: Mapped[str] = mapped_column(sa.String(2))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxItem(Base):
    """A message owed to a customer's channel, written with the message and sent after commit."""

    __tablename__ = 'outbox'
    __table_args__ = (sa.Index('ix_outbox_due', 'status', 'next_attempt_at'),)

    id: Mapped[int] = big_pk()
    message_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey('messages.id', ondelete='CASCADE'), unique=True)
    ticket_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey('tickets.id', ondelete='CASCADE'), index=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey('clients.id', ondelete='CASCADE'))
    kind: Mapped[OutboxKind] = mapped_column(enum_type(OutboxKind))
    transport: Mapped[Transport] = mapped_column(enum_type(Transport))
    channel: Mapped[Channel] = mapped_column(enum_type(Channel))
    # What is sent, decided in the transaction: e-mail headers and body, or the JSON document.
    envelope: Mapped[dict] = mapped_column(sa.JSON)
    status: Mapped[OutboxStatus] = mapped_column(enum_type(OutboxStatus), default=OutboxStatus.pending)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    message: Mapped[Message] = relationship()

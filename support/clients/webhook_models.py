"""A client's webhook subscriptions, the deliveries owed to them, and every attempt made."""
import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.crypto import Encrypted
from ..core.db import Base, BigId, big_pk, enum_type
from .models import Client


# The version of the payloads we send (``api_version`` in each payload and ``X-Support-Api-Version``).
# A subscription keeps the version it was created with; a change of payload shape gets a new one.
API_VERSION = '2026-12-01'


class WebhookEvent(str, enum.Enum):
    """What a subscription may ask for."""

    ticket_created = 'ticket.created'
    ticket_assigned = 'ticket.assigned'
    ticket_status_changed = 'ticket.status_changed'
    ticket_fields_changed = 'ticket.fields_changed'  # custom field values (support/tickets/fields.py)
    message_created = 'message.created'
    sla_warning = 'sla.warning'
    sla_breached = 'sla.breached'
    report_ready = 'report.ready'  # a stored report (the monthly PDF) can be downloaded
    csat_received = 'csat.received'  # a customer rated a resolved ticket (or added a comment)


class SystemEvent(str, enum.Enum):
    """What we send about the endpoints themselves, whatever they subscribed to."""

    test = 'webhook.test'                           # the "send a test event" call
    endpoint_disabled = 'webhook.endpoint_disabled'  # to the client's other endpoints


class DeliveryStatus(str, enum.Enum):
    pending = 'pending'        # waiting for its (next) attempt
    delivered = 'delivered'    # the receiver answered 2xx
    failed = 'failed'          # gave up after the last retry; a redelivery can still send it


class WebhookSubscription(Base):
    """A URL of a client's system and the events it wants."""

    __tablename__ = 'webhook_subscriptions'

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey('clients.id', ondelete='CASCADE'), index=True)
    url: Mapped[str] = mapped_column(sa.String(2000))
    events: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    description: Mapped[str | None] = mapped_column(sa.String(200))
    active: Mapped[bool] = mapped_column(default=True)
    # The endpoint's own signing secret (encrypted), shown once; after a rotation the previous
    # one keeps signing too until ``previous_secret_expires_at``. No secret: a subscription from
    # before per-endpoint secrets, still signed with the client's intake key until rotated.
    secret: Mapped[str | None] = mapped_column(Encrypted())
    previous_secret: Mapped[str | None] = mapped_column(Encrypted())
    previous_secret_expires_at: Mapped[datetime | None]
    api_version: Mapped[str] = mapped_column(sa.String(16), default=API_VERSION)
    # Since when every attempt failed (None after any success); a day of that disables it.
    failing_since: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    client: Mapped[Client] = relationship()


class WebhookDelivery(Base):
    """One event owed to one subscription; written in the transaction that made the change."""

    __tablename__ = 'webhook_deliveries'
    __table_args__ = (
        sa.Index('ix_webhook_deliveries_due', 'status', 'next_attempt_at'),
        sa.Index('ix_webhook_deliveries_client_created', 'client_id', 'id'),
    )

    id: Mapped[int] = big_pk()
    public_id: Mapped[str] = mapped_column(sa.String(40), unique=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey('clients.id', ondelete='CASCADE'))
    subscription_id: Mapped[int] = mapped_column(sa.ForeignKey('webhook_subscriptions.id', ondelete='CASCADE'),
                                                 index=True)
    event: Mapped[str] = mapped_column(sa.String(40))
    event_id: Mapped[str] = mapped_column(sa.String(40))
    payload: Mapped[dict] = mapped_column(sa.JSON)
    status: Mapped[DeliveryStatus] = mapped_column(enum_type(DeliveryStatus, 32), default=DeliveryStatus.pending)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    redelivery_of_id: Mapped[int | None] = mapped_column(BigId, sa.ForeignKey('webhook_deliveries.id',
                                                                              ondelete='SET NULL'))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]

    subscription: Mapped[WebhookSubscription] = relationship()
    redelivery_of: Mapped['WebhookDelivery | None'] = relationship(remote_side=[id])
    attempt_log: Mapped[list['WebhookAttempt']] = relationship(order_by='WebhookAttempt.id',
                                                               back_populates='delivery')


class WebhookAttempt(Base):
    """One try at sending a delivery: what the receiver answered and how long it took."""

    __tablename__ = 'webhook_attempts'

    id: Mapped[int] = big_pk()
    delivery_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey('webhook_deliveries.id', ondelete='CASCADE'),
                                             index=True)
    number: Mapped[int]
    started_at: Mapped[datetime]
    duration_ms: Mapped[int]
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(sa.String(500))
    response_excerpt: Mapped[str | None] = mapped_column(sa.String(500))

    delivery: Mapped[WebhookDelivery] = relationship(back_populates='attempt_log')

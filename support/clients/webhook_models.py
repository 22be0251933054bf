"""A client's webhook subscriptions, the deliveries owed to them, and every attempt made."""
import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base, enum_type
from .models import Client


class WebhookEvent(str, enum.Enum):
    ticket_created = 'ticket.created'
    ticket_assigned = 'ticket.assigned'
    ticket_status_changed = 'ticket.status_changed'
    message_created = 'message.created'
    sla_warning = 'sla.warning'
    sla_breached = 'sla.breached'


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

    id: Mapped[int] = mapped_column(primary_key=True)
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
    redelivery_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey('webhook_deliveries.id', ondelete='SET NULL'))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]

    subscription: Mapped[WebhookSubscription] = relationship()
    redelivery_of: Mapped['WebhookDelivery | None'] = relationship(remote_side=[id])
    attempt_log: Mapped[list['WebhookAttempt']] = relationship(order_by='WebhookAttempt.id',
                                                               back_populates='delivery')


class WebhookAttempt(Base):
    """One try at sending a delivery: what the receiver answered and how long it took."""

    __tablename__ = 'webhook_attempts'

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(sa.ForeignKey('webhook_deliveries.id', ondelete='CASCADE'), index=True)
    number: Mapped[int]
    started_at: Mapped[datetime]
    duration_ms: Mapped[int]
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(sa.String(500))
    response_excerpt: Mapped[str | None] = mapped_column(sa.String(500))

    delivery: Mapped[WebhookDelivery] = relationship(back_populates='attempt_log')

"""Queues, the routing state of each ticket, and offers (TaskRouter's reservations).

``RoutingItem`` is one row per ticket (its primary key is the ticket id): which queue
it waits in, whether it is waiting, offered, assigned or done, its escalation level
and when it next escalates. Waiting items are read in queue order from a partial
index, so the cost of a decision does not grow with the backlog.
"""
import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base, BigId, big_pk, enum_type
from ..core.i18n import _l


class ItemState(str, enum.Enum):
    waiting = 'waiting'
    offered = 'offered'
    assigned = 'assigned'
    done = 'done'


class OfferStatus(str, enum.Enum):
    pending = 'pending'
    accepted = 'accepted'
    declined = 'declined'
    expired = 'expired'
    cancelled = 'cancelled'


class Escalation(int, enum.Enum):
    none = 0
    any_product = 1   # another product line of the same client
    any_client = 2    # any agent who speaks the language


ESCALATION_LABELS = {Escalation.none: _l('Not escalated'),
                     Escalation.any_product: _l('Any product of the client'),
                     Escalation.any_client: _l('Any agent with the language')}

# Channel families group channels into queues; real-time ones are offered, the rest assigned.
FAMILIES = {'chat': 'messaging', 'social': 'messaging', 'sms': 'messaging', 'whatsapp': 'messaging',
            'phone': 'voice', 'email': 'email', 'web': 'email'}
REALTIME = frozenset({'chat', 'social', 'sms', 'whatsapp', 'phone'})
FAMILY_LABELS = {'messaging': _l('messaging'), 'voice': _l('voice'), 'email': _l('email')}
LANGUAGE_LABELS = {'en': _l('English'), 'es': _l('Spanish')}


def automatic_queue_name(client_name: str, language: str, family: str) -> str:
    """The stored name of a queue created by routing itself (shown translated, see display_name)."""
    return f'{client_name} · {language} · {family}'


class Queue(Base):
    """Waiting tickets of a client (or any), a language (or any) and some channels (or any)."""

    __tablename__ = 'queues'
    __table_args__ = (sa.UniqueConstraint('client_id', 'language', 'family'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    client_id: Mapped[int | None] = mapped_column(sa.ForeignKey('clients.id', ondelete='CASCADE'))
    language: Mapped[str | None] = mapped_column(sa.String(2))
    # A channel family ("messaging", "voice", "email") or None for every channel.
    family: Mapped[str | None] = mapped_column(sa.String(16))
    threshold_seconds: Mapped[int] = mapped_column(default=300)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    client: Mapped['Client | None'] = relationship()  # noqa: F821

    @property
    def channels(self) -> list[str]:
        return [c for c, f in FAMILIES.items() if self.family in (None, f)]

    def display_name(self) -> str:
        """The name to show: an automatic queue's words in the reader's language."""
        if self.client is not None and self.name == automatic_queue_name(self.client.name, self.language, self.family):
            return ' · '.join([self.client.name, str(LANGUAGE_LABELS.get(self.language, self.language)),
                               str(FAMILY_LABELS.get(self.family, self.family))])
        return self.name


class RoutingItem(Base):
    __tablename__ = 'routing_items'
    __table_args__ = (
        # The backlog in queue order: priority first, then the earliest due time, then arrival.
        sa.Index('ix_routing_items_waiting', 'language', 'channel', 'sort_priority', 'due_at', 'ticket_id',
                 postgresql_where=sa.text("state = 'waiting'"), sqlite_where=sa.text("state = 'waiting'")),
        sa.Index('ix_routing_items_queue_state', 'queue_id', 'state', 'waiting_since'),
        sa.Index('ix_routing_items_escalate', 'escalate_at',
                 postgresql_where=sa.text("state = 'waiting'"), sqlite_where=sa.text("state = 'waiting'")),
        sa.Index('ix_routing_items_agent_state', 'agent_id', 'state'),
    )

    ticket_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey('tickets.id', ondelete='CASCADE'), primary_key=True)
    queue_id: Mapped[int] = mapped_column(sa.ForeignKey('queues.id'))
    state: Mapped[ItemState] = mapped_column(enum_type(ItemState), default=ItemState.waiting)
    agent_id: Mapped[int | None] = mapped_column(sa.ForeignKey('agents.id'))
    client_id: Mapped[int] = mapped_column(sa.ForeignKey('clients.id', ondelete='CASCADE'))
    customer_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey('customers.id', ondelete='CASCADE'))
    language: Mapped[str] = mapped_column(sa.String(2))
    channel: Mapped[str] = mapped_column(sa.String(16))
    product: Mapped[str | None] = mapped_column(sa.String(120))
    # 0 = urgent ... 3 = low, so the index reads the backlog in ascending order.
    sort_priority: Mapped[int] = mapped_column(sa.SmallInteger)
    due_at: Mapped[datetime]
    waiting_since: Mapped[datetime]
    escalation: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    escalate_at: Mapped[datetime | None]
    # Agents who declined, missed or transferred this ticket away, as ``[agent id, until (epoch
    # seconds)]``: not offered it again until then, unless nobody else could take it.
    excluded: Mapped[list[list[int]]] = mapped_column(sa.JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    queue: Mapped[Queue] = relationship()


class Offer(Base):
    """A ticket reserved for one agent until accepted, declined or expired."""

    __tablename__ = 'offers'
    __table_args__ = (
        # At most one pending offer per ticket, whatever the number of routers.
        sa.Index('uq_offers_pending_ticket', 'ticket_id', unique=True,
                 postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'")),
        sa.Index('ix_offers_expiry', 'expires_at',
                 postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'")),
        sa.Index('ix_offers_agent_status', 'agent_id', 'status'),
    )

    id: Mapped[int] = big_pk()
    ticket_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey('tickets.id', ondelete='CASCADE'), index=True)
    agent_id: Mapped[int] = mapped_column(sa.ForeignKey('agents.id', ondelete='CASCADE'))
    channel: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[OfferStatus] = mapped_column(enum_type(OfferStatus), default=OfferStatus.pending)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    responded_at: Mapped[datetime | None]

    ticket: Mapped['Ticket'] = relationship()  # noqa: F821


from ..clients.models import Client  # noqa: E402,F401
from ..tickets.models import Ticket  # noqa: E402,F401

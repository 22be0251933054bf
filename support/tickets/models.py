import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..agents.models import Agent
from ..clients.models import Client
from ..core.clock import utcnow
from ..core.db import Base, BigId, big_pk, enum_type
from ..core.i18n import _l
from .states import Status


class Channel(str, enum.Enum):
    chat = 'chat'
    email = 'email'
    social = 'social'
    sms = 'sms'
    whatsapp = 'whatsapp'
    phone = 'phone'
    web = 'web'


class Priority(str, enum.Enum):
    low = 'low'
    normal = 'normal'
    high = 'high'
    urgent = 'urgent'

    @property
    def rank(self) -> int:
        return list(Priority).index(self)


class MessageKind(str, enum.Enum):
    inbound = 'inbound'
    outbound = 'outbound'
    note = 'note'


class LanguageSource(str, enum.Enum):
    given = 'given'                    # the caller said which language
    detected = 'detected'              # lingua decided from the text
    customer = 'customer_preference'   # too short to tell: the customer's preferred language
    client_default = 'client_default'  # nothing to go on: the client's default language


LANGUAGES = ('en', 'es')
PRIORITY_LABELS = {Priority.low: _l('Low'), Priority.normal: _l('Normal'),
                   Priority.high: _l('High'), Priority.urgent: _l('Urgent')}


class Customer(Base):
    """A person who contacts a client's support; found again by any of their identities."""

    __tablename__ = 'customers'

    id: Mapped[int] = big_pk()
    client_id: Mapped[int] = mapped_column(sa.ForeignKey('clients.id', ondelete='CASCADE'), index=True)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    handle: Mapped[str | None] = mapped_column(sa.String(120))
    preferred_language: Mapped[str | None] = mapped_column(sa.String(2))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    identities: Mapped[list['CustomerIdentity']] = relationship(back_populates='customer')


class CustomerIdentity(Base):
    """One way to reach a customer (email, phone, handle, chat id), unique per client."""

    __tablename__ = 'customer_identities'
    __table_args__ = (sa.UniqueConstraint('client_id', 'kind', 'value'),)

    id: Mapped[int] = big_pk()
    client_id: Mapped[int] = mapped_column(sa.ForeignKey('clients.id', ondelete='CASCADE'))
    customer_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey('customers.id', ondelete='CASCADE'), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    value: Mapped[str] = mapped_column(sa.String(254))

    customer: Mapped[Customer] = relationship(back_populates='identities')


class Ticket(Base):
    __tablename__ = 'tickets'
    # Each index is the order of a list (tickets.queries.ORDERS, newest first = id descending)
    # under an equality filter, so a page reads its own rows and sorts nothing; the
    # unrestricted newest-first list is the primary key. tests/tickets/test_query_plans.py
    # EXPLAINs every list and filter of the API at 100k tickets on PostgreSQL.
    __table_args__ = (
        sa.Index('ix_tickets_client', 'client_id', 'id'),
        sa.Index('ix_tickets_client_status', 'client_id', 'status', 'id'),
        sa.Index('ix_tickets_assignee_status', 'assignee_id', 'status', 'id'),
        sa.Index('ix_tickets_status', 'status', 'id'),
        sa.Index('ix_tickets_client_created', 'client_id', 'created_at'),
        sa.Index('ix_tickets_client_external', 'client_id', 'external_id'),
        # The list sorted by the next SLA due time (kept by support/sla), for everyone and per client.
        sa.Index('ix_tickets_sla_due', 'sla_due_at', 'id'),
        sa.Index('ix_tickets_client_sla_due', 'client_id', 'sla_due_at', 'id'),
    )

    id: Mapped[int] = big_pk()
    client_id: Mapped[int] = mapped_column(sa.ForeignKey('clients.id'))
    customer_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey('customers.id'), index=True)
    channel: Mapped[Channel] = mapped_column(enum_type(Channel))
    language: Mapped[str] = mapped_column(sa.String(2))
    language_source: Mapped[LanguageSource] = mapped_column(enum_type(LanguageSource, 24))
    priority: Mapped[Priority] = mapped_column(enum_type(Priority), default=Priority.normal)
    status: Mapped[Status] = mapped_column(enum_type(Status), default=Status.new)
    subject: Mapped[str] = mapped_column(sa.String(300))
    product: Mapped[str | None] = mapped_column(sa.String(120))
    tags: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    external_id: Mapped[str | None] = mapped_column(sa.String(120))
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey('agents.id'))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # Kept by support/sla from the running clocks: the earliest due time and warning point
    # (paused clocks left out). Past due = breached; past the warning = at risk.
    sla_due_at: Mapped[datetime | None]
    sla_warn_at: Mapped[datetime | None]
    # The disposition code the agent chose (support/tickets/dispositions.py).
    disposition_id: Mapped[int | None] = mapped_column(sa.ForeignKey('dispositions.id'))
    # A real-time contact (chat, phone) whose customer left before any agent accepted it.
    abandoned_at: Mapped[datetime | None]

    client: Mapped[Client] = relationship()
    customer: Mapped[Customer] = relationship()
    assignee: Mapped[Agent | None] = relationship()
    messages: Mapped[list['Message']] = relationship(back_populates='ticket', order_by='Message.id')
    events: Mapped[list['TicketEvent']] = relationship(back_populates='ticket', order_by='TicketEvent.id')

    @property
    def number(self) -> int:
        """What people quote ("ticket #1234"): the id, stable and unique across clients."""
        return self.id


class Message(Base):
    __tablename__ = 'messages'
    __table_args__ = (sa.Index('ix_messages_ticket', 'ticket_id', 'id'),)  # a ticket's thread, in order

    id: Mapped[int] = big_pk()
    ticket_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey('tickets.id', ondelete='CASCADE'))
    kind: Mapped[MessageKind] = mapped_column(enum_type(MessageKind))
    author_agent_id: Mapped[int | None] = mapped_column(sa.ForeignKey('agents.id'))
    author_customer_id: Mapped[int | None] = mapped_column(BigId, sa.ForeignKey('customers.id'))
    body: Mapped[str] = mapped_column(sa.Text)
    language: Mapped[str | None] = mapped_column(sa.String(2))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Outbound (support/outbound): our own e-mail Message-ID, so replies thread by In-Reply-To,
    # and whether the reply reached the customer's channel (pending | sent | failed).
    email_message_id: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    delivery_status: Mapped[str | None] = mapped_column(sa.String(16))

    ticket: Mapped[Ticket] = relationship(back_populates='messages')
    author_agent: Mapped[Agent | None] = relationship()
    author_customer: Mapped[Customer | None] = relationship()


class TicketEvent(Base):
    """Append-only history: who changed what on a ticket, before and after, and when."""

    __tablename__ = 'ticket_events'
    __table_args__ = (sa.Index('ix_ticket_events_ticket', 'ticket_id', 'id'),)  # a ticket's history, in order

    id: Mapped[int] = big_pk()
    ticket_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey('tickets.id', ondelete='CASCADE'))
    kind: Mapped[str] = mapped_column(sa.String(40))
    actor_type: Mapped[str] = mapped_column(sa.String(16))  # agent | client | customer | system
    actor_id: Mapped[int | None]
    actor_name: Mapped[str | None] = mapped_column(sa.String(200))
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates='events')


# The tag filter (``tags @> '["vip"]'``) on PostgreSQL; SQLite reads the JSON of each row.
sa.Index('ix_tickets_tags', sa.cast(Ticket.tags, JSONB).label('tags'), postgresql_using='gin',
         postgresql_ops={'tags': 'jsonb_path_ops'}).ddl_if(dialect='postgresql')


@event.listens_for(TicketEvent, 'before_update')
@event.listens_for(TicketEvent, 'before_delete')
def _history_is_append_only(mapper, connection, target):
    raise RuntimeError('ticket events are append-only')


# Full-text search over subjects, messages and customers (search_index, docs/search.md).
from .search_index import install as _install_search_index  # noqa: E402

_install_search_index(Customer.__table__, Ticket.__table__, Message.__table__)

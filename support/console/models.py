"""Canned answers (per client and language) and what each agent has read."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clients.models import Client
from ..core.clock import utcnow
from ..core.db import Base, BigId


class CannedAnswer(Base):
    """A reusable reply text for one client (or every client when ``client_id`` is null) in one language."""

    __tablename__ = 'canned_answers'
    __table_args__ = (sa.UniqueConstraint('client_id', 'language', 'title'),
                      sa.Index('ix_canned_answers_language', 'language'))

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int | None] = mapped_column(sa.ForeignKey('clients.id', ondelete='CASCADE'), index=True)
    language: Mapped[str] = mapped_column(sa.String(2))
    title: Mapped[str] = mapped_column(sa.String(120))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    client: Mapped[Client | None] = relationship()


class TicketRead(Base):
    """When an agent last opened a ticket: newer inbound messages make it unread."""

    __tablename__ = 'ticket_reads'

    agent_id: Mapped[int] = mapped_column(sa.ForeignKey('agents.id', ondelete='CASCADE'), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey('tickets.id', ondelete='CASCADE'), primary_key=True,
                                           index=True)
    read_at: Mapped[datetime] = mapped_column(default=utcnow)

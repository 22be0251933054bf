"""What each agent has read (canned answers became macros: support/macros)."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import utcnow
from ..core.db import Base, BigId


class TicketRead(Base):
    """When an agent last opened a ticket: newer inbound messages make it unread."""

    __tablename__ = 'ticket_reads'

    agent_id: Mapped[int] = mapped_column(sa.ForeignKey('agents.id', ondelete='CASCADE'), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey('tickets.id', ondelete='CASCADE'), primary_key=True,
                                           index=True)
    read_at: Mapped[datetime] = mapped_column(default=utcnow)

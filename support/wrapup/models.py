"""Wrap-up (after-contact work): the time an agent spends finishing a contact after resolving
or handing it off, while the channel's capacity it used stays taken.

One row per wrap-up; ``ended_at`` is NULL while it runs (a partial unique index allows
one running wrap-up per agent and ticket). ``due_at`` is when the timer ends it.
"""
import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import Base, BigId, big_pk, enum_type
from ..core.i18n import _l


class Trigger(str, enum.Enum):
    resolve = 'resolve'     # the agent resolved the ticket
    transfer = 'transfer'   # the agent handed it to another agent
    unassign = 'unassign'   # the agent sent it back to a queue


class EndedBy(str, enum.Enum):
    agent = 'agent'          # the agent said they were done
    timer = 'timer'          # the client's limit passed
    offline = 'offline'      # the agent went offline (or signed out)
    reopened = 'reopened'    # the ticket came back to the agent: the capacity is the ticket's again


TRIGGER_LABELS = {Trigger.resolve: _l('Resolved'), Trigger.transfer: _l('Transferred'),
                  Trigger.unassign: _l('Returned to a queue')}


class WrapUp(Base):
    __tablename__ = 'wrapups'
    __table_args__ = (
        sa.Index('uq_wrapups_running', 'agent_id', 'ticket_id', unique=True,
                 postgresql_where=sa.text('ended_at IS NULL'), sqlite_where=sa.text('ended_at IS NULL')),
        sa.Index('ix_wrapups_due', 'due_at',
                 postgresql_where=sa.text('ended_at IS NULL'), sqlite_where=sa.text('ended_at IS NULL')),
        sa.Index('ix_wrapups_agent_started', 'agent_id', 'started_at'),
        sa.Index('ix_wrapups_client_started', 'client_id', 'started_at'),
        sa.Index('ix_wrapups_ticket_id', 'ticket_id'),
        sa.CheckConstraint('due_at >= started_at', name='due_after_start'),
        sa.CheckConstraint('ended_at IS NULL OR ended_at >= started_at', name='ends_after_start'),
        sa.CheckConstraint('(ended_at IS NULL) = (ended_by IS NULL)', name='ended_by_when_ended'),
    )

    id: Mapped[int] = big_pk()
    agent_id: Mapped[int] = mapped_column(sa.ForeignKey('agents.id', ondelete='CASCADE'))
    ticket_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey('tickets.id', ondelete='CASCADE'))
    client_id: Mapped[int] = mapped_column(sa.ForeignKey('clients.id', ondelete='CASCADE'))
    channel: Mapped[str] = mapped_column(sa.String(16))
    trigger: Mapped[Trigger] = mapped_column(enum_type(Trigger))
    started_at: Mapped[datetime]
    due_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    ended_by: Mapped[EndedBy | None] = mapped_column(enum_type(EndedBy))
    disposition_id: Mapped[int | None] = mapped_column(sa.ForeignKey('dispositions.id', ondelete='SET NULL'))

    @property
    def running(self) -> bool:
        return self.ended_at is None

"""Presence history: one row per stretch of time an agent spent in one presence state.

``set_presence`` closes the agent's open row and opens the next at the same instant, so
the rows of an agent tile time without gaps or overlaps from their first change on, and
occupancy or time in each state can be summed for any interval with one query. A partial
unique index keeps one open row (``ended_at IS NULL``) per agent.
"""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import utcnow
from ..core.db import Base, big_pk, enum_type
from ..core.extensions import db
from .presence import Presence


class PresenceChange(Base):
    __tablename__ = 'agent_presence_changes'
    __table_args__ = (
        sa.Index('uq_agent_presence_changes_open', 'agent_id', unique=True,
                 postgresql_where=sa.text('ended_at IS NULL'), sqlite_where=sa.text('ended_at IS NULL')),
        sa.Index('ix_agent_presence_changes_agent_started', 'agent_id', 'started_at', 'id'),
        sa.Index('ix_agent_presence_changes_started', 'started_at'),
        sa.CheckConstraint('ended_at IS NULL OR ended_at >= started_at', name='ends_after_start'),
    )

    id: Mapped[int] = big_pk()
    agent_id: Mapped[int] = mapped_column(sa.ForeignKey('agents.id', ondelete='CASCADE'))
    status: Mapped[Presence] = mapped_column(enum_type(Presence))
    # The away reason code (built-in or custom); NULL for other states.
    reason: Mapped[str | None] = mapped_column(sa.String(40))
    # Who made the change; NULL for the system (a missed offer, a migration, a sign-out sweep).
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey('agents.id', ondelete='SET NULL'))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


def history(agent_id: int, start: datetime, end: datetime, after: int | None = None,
            limit: int = 200) -> tuple[list[dict], int | None]:
    """The agent's stretches overlapping ``[start, end)``, oldest first, a page at a time (keyset on
    ``(started_at, id)``); each with the seconds it spent inside the interval."""
    query = sa.select(PresenceChange).where(PresenceChange.agent_id == agent_id, PresenceChange.started_at < end,
                                            sa.or_(PresenceChange.ended_at.is_(None), PresenceChange.ended_at > start))
    if after is not None:
        last = db.session.get(PresenceChange, after)
        if last is not None and last.agent_id == agent_id:
            query = query.where(sa.tuple_(PresenceChange.started_at, PresenceChange.id) > (last.started_at, last.id))
    rows = list(db.session.scalars(query.order_by(PresenceChange.started_at, PresenceChange.id).limit(limit + 1)))
    now = utcnow()
    items = [_item(row, start, min(end, now)) for row in rows[:limit]]
    return items, (rows[limit - 1].id if len(rows) > limit else None)


def _item(row: PresenceChange, start: datetime, end: datetime) -> dict:
    inside = min(row.ended_at or end, end) - max(row.started_at, start)
    return {'id': row.id, 'status': row.status, 'reason': row.reason, 'actor_id': row.actor_id,
            'started_at': row.started_at, 'ended_at': row.ended_at, 'seconds': max(0, int(inside.total_seconds()))}

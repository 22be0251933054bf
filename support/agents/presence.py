"""Presence, capacity per channel and product skills of agents (the routing inputs they own).

``AgentState`` holds presence and the routing-relevant skills that are not on ``Agent``
itself; ``AgentLoad`` holds, per agent and channel, the capacity and the work that
currently counts against it (assigned tickets plus pending offers). Loads change only
through conditional updates (``load < capacity``), so no agent goes over capacity
even when several processes route at once.
"""
import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import utcnow
from ..core.db import Base, enum_type
from ..core.i18n import _l


class Presence(str, enum.Enum):
    available = 'available'
    away = 'away'
    offline = 'offline'

    @property
    def label(self):
        return PRESENCE_LABELS[self]


PRESENCE_LABELS = {Presence.available: _l('Available'), Presence.away: _l('Away'),
                   Presence.offline: _l('Offline')}

CHANNELS = ('chat', 'email', 'social', 'sms', 'whatsapp', 'phone', 'web')
DEFAULT_CAPACITIES = {'chat': 3, 'email': 6, 'social': 4, 'sms': 4, 'whatsapp': 4, 'phone': 1, 'web': 6}

# Away reasons every installation has; supervisors add their own (``AwayReason``).
MISSED_OFFER = 'missed_offer'
BUILTIN_AWAY_REASONS = {'break': _l('Break'), 'lunch': _l('Lunch'), 'training': _l('Training'),
                        'lab': _l('Lab'), 'meeting': _l('Meeting'), MISSED_OFFER: _l('Missed an offer')}


class AgentState(Base):
    """One row per agent that has ever set presence or been given skills."""

    __tablename__ = 'agent_states'

    agent_id: Mapped[int] = mapped_column(sa.ForeignKey('agents.id', ondelete='CASCADE'), primary_key=True)
    status: Mapped[Presence] = mapped_column(
        enum_type(Presence),
        default=Presence.offline, index=True)
    reason: Mapped[str | None] = mapped_column(sa.String(40))
    since: Mapped[datetime] = mapped_column(default=utcnow)
    # Product lines served; empty means every product of the clients served.
    products: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # When the agent last received work (an offer or an assignment): ties go to the longest idle.
    last_routed_at: Mapped[datetime | None]


class AgentLoad(Base):
    __tablename__ = 'agent_loads'
    __table_args__ = (sa.CheckConstraint('load >= 0', name='load_not_negative'),
                      sa.CheckConstraint('capacity >= 0', name='capacity_not_negative'))

    agent_id: Mapped[int] = mapped_column(sa.ForeignKey('agents.id', ondelete='CASCADE'), primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    capacity: Mapped[int] = mapped_column(default=0)
    load: Mapped[int] = mapped_column(default=0)


class AwayReason(Base):
    """A custom away reason a supervisor added (e.g. "lab", "coaching")."""

    __tablename__ = 'away_reasons'

    code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    label_en: Mapped[str] = mapped_column(sa.String(80))
    label_es: Mapped[str] = mapped_column(sa.String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

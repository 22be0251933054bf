"""The lab: equipment models, physical units at sites, checkouts, holds, reservations, reminders.

Invariant held by the database: a unit has at most one open checkout (the unique
partial index ``uq_lab_checkouts_open_unit`` on ``unit_id WHERE returned_at IS NULL``).
"""
import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..agents.models import Agent
from ..clients.models import Client
from ..core.clock import utcnow
from ..core.db import Base, BigId, enum_type
from ..core.i18n import _l
from ..sites.models import Site
from ..tickets.models import Ticket


class UnitStatus(str, enum.Enum):
    available = 'available'
    checked_out = 'checked_out'
    reserved = 'reserved'          # kept for the first agent in a model's waiting line
    maintenance = 'maintenance'
    retired = 'retired'

    @property
    def label(self):
        return UNIT_STATUS_LABELS[self]


class Condition(str, enum.Enum):
    new = 'new'
    good = 'good'
    fair = 'fair'
    damaged = 'damaged'

    @property
    def label(self):
        return CONDITION_LABELS[self]


class HoldStatus(str, enum.Enum):
    waiting = 'waiting'        # in line
    ready = 'ready'            # a returned unit is kept for this agent until ``expires_at``
    fulfilled = 'fulfilled'    # the agent checked a unit of the model out
    expired = 'expired'        # not claimed in time; the unit passed on
    cancelled = 'cancelled'


class Category(str, enum.Enum):
    modem = 'modem'
    cable_box = 'cable_box'
    router = 'router'
    laptop = 'laptop'
    phone = 'phone'
    tablet = 'tablet'
    other = 'other'


UNIT_STATUS_LABELS = {UnitStatus.available: _l('Available'), UnitStatus.checked_out: _l('Checked out'),
                      UnitStatus.reserved: _l('Reserved'), UnitStatus.maintenance: _l('In maintenance'),
                      UnitStatus.retired: _l('Retired')}
CONDITION_LABELS = {Condition.new: _l('New'), Condition.good: _l('Good'), Condition.fair: _l('Fair'),
                    Condition.damaged: _l('Damaged')}
OPEN_HOLD = (HoldStatus.waiting, HoldStatus.ready)


class EquipmentModel(Base):
    """A kind of device (maker + model) and the client and product lines it stands for."""

    __tablename__ = 'lab_models'
    __table_args__ = (sa.UniqueConstraint('maker', 'name'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    maker: Mapped[str] = mapped_column(sa.String(120))
    name: Mapped[str] = mapped_column(sa.String(120))
    category: Mapped[Category] = mapped_column(enum_type(Category), default=Category.other)
    client_id: Mapped[int | None] = mapped_column(sa.ForeignKey('clients.id'), index=True)
    product_lines: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    photo_url: Mapped[str | None] = mapped_column(sa.String(500))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    client: Mapped[Client | None] = relationship()

    @property
    def title(self) -> str:
        return f'{self.maker} {self.name}'


class Unit(Base):
    """One physical device at a site's lab."""

    __tablename__ = 'lab_units'
    __table_args__ = (sa.Index('ix_lab_units_site_status', 'site_id', 'status'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_tag: Mapped[str] = mapped_column(sa.String(64), unique=True)
    serial: Mapped[str | None] = mapped_column(sa.String(120), index=True)
    model_id: Mapped[int] = mapped_column(sa.ForeignKey('lab_models.id'), index=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey('sites.id'))
    shelf: Mapped[str | None] = mapped_column(sa.String(120))
    condition: Mapped[Condition] = mapped_column(enum_type(Condition), default=Condition.good)
    status: Mapped[UnitStatus] = mapped_column(enum_type(UnitStatus), default=UnitStatus.available)
    # While status is ``reserved``: whom the unit is kept for, and until when.
    reserved_for_id: Mapped[int | None] = mapped_column(sa.ForeignKey('agents.id'))
    reserved_until: Mapped[datetime | None]
    notes: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    model: Mapped[EquipmentModel] = relationship()
    site: Mapped[Site] = relationship()
    reserved_for: Mapped[Agent | None] = relationship()


class Checkout(Base):
    """A unit in an agent's hands, usually for a ticket, from ``checked_out_at`` until returned."""

    __tablename__ = 'lab_checkouts'
    __table_args__ = (
        sa.Index('uq_lab_checkouts_open_unit', 'unit_id', unique=True,
                 postgresql_where=sa.text('returned_at IS NULL'), sqlite_where=sa.text('returned_at IS NULL')),
        sa.Index('ix_lab_checkouts_agent_id', 'agent_id'),
        sa.Index('ix_lab_checkouts_ticket_id', 'ticket_id'),
        sa.Index('ix_lab_checkouts_due_at', 'due_at'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey('lab_units.id'))
    agent_id: Mapped[int] = mapped_column(sa.ForeignKey('agents.id'))
    ticket_id: Mapped[int | None] = mapped_column(BigId, sa.ForeignKey('tickets.id', ondelete='SET NULL'))
    checked_out_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime]
    condition_out: Mapped[Condition] = mapped_column(enum_type(Condition))
    notes_out: Mapped[str | None] = mapped_column(sa.Text)
    returned_at: Mapped[datetime | None]
    returned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey('agents.id'))
    condition_in: Mapped[Condition | None] = mapped_column(enum_type(Condition))
    notes_in: Mapped[str | None] = mapped_column(sa.Text)
    forced: Mapped[bool] = mapped_column(default=False)
    # Set by the overdue sweep when it raised ``lab.overdue``, so it is raised once.
    overdue_notified_at: Mapped[datetime | None]

    unit: Mapped[Unit] = relationship()
    agent: Mapped[Agent] = relationship(foreign_keys=[agent_id])
    returned_by: Mapped[Agent | None] = relationship(foreign_keys=[returned_by_id])
    ticket: Mapped[Ticket | None] = relationship()


class Hold(Base):
    """An agent's place in the waiting line for a model at a site."""

    __tablename__ = 'lab_holds'
    __table_args__ = (
        sa.Index('ix_lab_holds_line', 'model_id', 'site_id', 'status', 'id'),
        sa.Index('uq_lab_holds_open_agent', 'model_id', 'site_id', 'agent_id', unique=True,
                 postgresql_where=sa.text("status IN ('waiting', 'ready')"),
                 sqlite_where=sa.text("status IN ('waiting', 'ready')")),
        sa.Index('ix_lab_holds_expires_at', 'expires_at'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(sa.ForeignKey('lab_models.id'))
    site_id: Mapped[int] = mapped_column(sa.ForeignKey('sites.id'))
    agent_id: Mapped[int] = mapped_column(sa.ForeignKey('agents.id'))
    ticket_id: Mapped[int | None] = mapped_column(BigId, sa.ForeignKey('tickets.id', ondelete='SET NULL'))
    status: Mapped[HoldStatus] = mapped_column(enum_type(HoldStatus), default=HoldStatus.waiting)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey('lab_units.id'))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ready_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    model: Mapped[EquipmentModel] = relationship()
    agent: Mapped[Agent] = relationship()
    unit: Mapped[Unit | None] = relationship()


class Reservation(Base):
    """A unit booked for a time window (a training session, a scheduled callback)."""

    __tablename__ = 'lab_reservations'
    __table_args__ = (
        sa.Index('ix_lab_reservations_unit_window', 'unit_id', 'starts_at', 'ends_at'),
        sa.CheckConstraint('ends_at > starts_at', name='window'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey('lab_units.id'))
    agent_id: Mapped[int] = mapped_column(sa.ForeignKey('agents.id'), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    purpose: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]

    unit: Mapped[Unit] = relationship()
    agent: Mapped[Agent] = relationship()


class Reminder(Base):
    """"Return the unit": left for an agent whose ticket resolved while the unit was still out."""

    __tablename__ = 'lab_reminders'

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(sa.ForeignKey('agents.id'), index=True)
    checkout_id: Mapped[int] = mapped_column(sa.ForeignKey('lab_checkouts.id', ondelete='CASCADE'), index=True)
    ticket_id: Mapped[int | None] = mapped_column(BigId, sa.ForeignKey('tickets.id', ondelete='SET NULL'))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]

    checkout: Mapped[Checkout] = relationship()

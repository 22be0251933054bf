"""SLA policies (what a client bought) and clocks (how each ticket is doing against it).

A clock is one row per ticket, metric and cycle (``next_response`` runs once per customer
message after an agent reply; the others once). It stores when it started, what it is
due, the business seconds it was paused, and when it was met, breached or stopped, so
reports read the rows directly; what happened in between is in ``ticket_events``.
"""
import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base, BigId, big_pk, enum_type
from ..core.i18n import _l

MAX_TARGET_SECONDS = 365 * 86400


class Metric(str, enum.Enum):
    first_response = 'first_response'  # creation -> the first public reply by a person
    next_response = 'next_response'    # a customer message after an agent reply -> the next agent reply
    resolution = 'resolution'          # creation -> resolved (a reopened ticket resumes it)
    answer = 'answer'                  # real-time channels: entering the queue -> an agent takes it

    @property
    def label(self):
        return METRIC_LABELS[self]


METRIC_LABELS = {Metric.first_response: _l('First response'), Metric.next_response: _l('Next response'),
                 Metric.resolution: _l('Resolution'), Metric.answer: _l('Answer')}


class ClockStatus(str, enum.Enum):
    active = 'active'        # running towards its due time
    paused = 'paused'        # the ticket is in a pause status (pending): the clock stands still
    met = 'met'              # stopped before its due time
    breached = 'breached'    # its due time passed before it stopped (it may still be running)
    cancelled = 'cancelled'  # stopped without its event (abandoned, resolved unanswered, no longer a target)

    @property
    def label(self):
        return STATUS_LABELS[self]


STATUS_LABELS = {ClockStatus.active: _l('Active'), ClockStatus.paused: _l('Paused'), ClockStatus.met: _l('Met'),
                 ClockStatus.breached: _l('Breached'), ClockStatus.cancelled: _l('Cancelled')}


def _target(metric: str) -> sa.CheckConstraint:
    column = f'{metric}_seconds'
    return sa.CheckConstraint(f'{column} IS NULL OR ({column} > 0 AND {column} <= {MAX_TARGET_SECONDS})',
                              name=f'{metric}_target')


class SlaPolicy(Base):
    """A client's promise for the tickets matching its conditions; the first match by position applies."""

    __tablename__ = 'sla_policies'
    __table_args__ = (
        sa.UniqueConstraint('client_id', 'position'),
        sa.UniqueConstraint('client_id', 'name'),
        sa.CheckConstraint('position >= 0', name='position'),
        sa.CheckConstraint('warning_percent BETWEEN 1 AND 99', name='warning_percent'),
        sa.CheckConstraint('service_level_percent BETWEEN 1 AND 100', name='service_level_percent'),
        sa.CheckConstraint('breach_escalation BETWEEN 0 AND 2', name='breach_escalation'),
        *(_target(metric.value) for metric in Metric),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey('clients.id', ondelete='CASCADE'))
    name: Mapped[str] = mapped_column(sa.String(120))
    position: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)
    # None: around the clock (24x7). A calendar in use cannot be deleted.
    calendar_id: Mapped[int | None] = mapped_column(sa.ForeignKey('calendars.id', ondelete='RESTRICT'), index=True)
    # {"priority": [...], "channel": [...], "language": [...], "product": [...], "tags": [...]}; absent = any.
    conditions: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    first_response_seconds: Mapped[int | None]
    next_response_seconds: Mapped[int | None]
    resolution_seconds: Mapped[int | None]
    answer_seconds: Mapped[int | None]
    warning_percent: Mapped[int] = mapped_column(sa.SmallInteger, default=75)
    # The goal of the service level: "80% answered within the answer target".
    service_level_percent: Mapped[int] = mapped_column(sa.SmallInteger, default=80)
    pause_statuses: Mapped[list[str]] = mapped_column(sa.JSON, default=lambda: ['pending'])
    breach_priority: Mapped[str | None] = mapped_column(sa.String(16))  # raise the ticket to this priority
    breach_escalation: Mapped[int] = mapped_column(sa.SmallInteger, default=0)  # re-queue at this level
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    client: Mapped['Client'] = relationship()  # noqa: F821
    calendar: Mapped['Calendar | None'] = relationship()  # noqa: F821

    def target(self, metric: Metric) -> int | None:
        return getattr(self, f'{metric.value}_seconds')


class SlaClock(Base):
    __tablename__ = 'sla_clocks'
    __table_args__ = (
        sa.UniqueConstraint('ticket_id', 'metric', 'sequence'),
        # One running clock per ticket and metric, whatever the number of processes.
        sa.Index('uq_sla_clocks_running', 'ticket_id', 'metric', unique=True,
                 postgresql_where=sa.text('stopped_at IS NULL'), sqlite_where=sa.text('stopped_at IS NULL')),
        # The timers: what breaches next, what warns next (running, not paused, not yet fired).
        sa.Index('ix_sla_clocks_breach_timer', 'due_at',
                 postgresql_where=sa.text('stopped_at IS NULL AND paused_at IS NULL AND breached_at IS NULL'),
                 sqlite_where=sa.text('stopped_at IS NULL AND paused_at IS NULL AND breached_at IS NULL')),
        sa.Index('ix_sla_clocks_warning_timer', 'warn_at',
                 postgresql_where=sa.text('stopped_at IS NULL AND paused_at IS NULL AND warned_at IS NULL '
                                          'AND breached_at IS NULL'),
                 sqlite_where=sa.text('stopped_at IS NULL AND paused_at IS NULL AND warned_at IS NULL '
                                      'AND breached_at IS NULL')),
        sa.Index('ix_sla_clocks_client_metric_started', 'client_id', 'metric', 'started_at'),
        sa.Index('ix_sla_clocks_stopped', 'stopped_at'),
        sa.Index('ix_sla_clocks_breached', 'breached_at'),
        sa.CheckConstraint('target_seconds > 0', name='target'),
        sa.CheckConstraint('paused_seconds >= 0', name='paused_seconds'),
        sa.CheckConstraint('sequence >= 1', name='sequence'),
    )

    id: Mapped[int] = big_pk()
    ticket_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey('tickets.id', ondelete='CASCADE'))
    client_id: Mapped[int] = mapped_column(sa.ForeignKey('clients.id', ondelete='CASCADE'))
    metric: Mapped[Metric] = mapped_column(enum_type(Metric, 24))
    sequence: Mapped[int] = mapped_column(sa.SmallInteger, default=1)
    policy_id: Mapped[int | None] = mapped_column(sa.ForeignKey('sla_policies.id', ondelete='SET NULL'), index=True)
    calendar_id: Mapped[int | None] = mapped_column(sa.ForeignKey('calendars.id', ondelete='SET NULL'))
    target_seconds: Mapped[int]
    status: Mapped[ClockStatus] = mapped_column(enum_type(ClockStatus), default=ClockStatus.active)
    started_at: Mapped[datetime]
    due_at: Mapped[datetime | None]    # None while paused, or never (a calendar with no opening hours)
    warn_at: Mapped[datetime | None]
    paused_at: Mapped[datetime | None]
    paused_seconds: Mapped[int] = mapped_column(default=0)  # business seconds spent paused so far
    warned_at: Mapped[datetime | None]
    breached_at: Mapped[datetime | None]  # the due time that passed (not when a job noticed)
    stopped_at: Mapped[datetime | None]
    business_seconds: Mapped[int | None]  # open time used, net of pauses, when stopped
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped['Ticket'] = relationship(  # noqa: F821
        backref=backref('sla_clocks', order_by='SlaClock.id', cascade='all, delete-orphan', passive_deletes=True))
    policy: Mapped[SlaPolicy | None] = relationship()

    @property
    def running(self) -> bool:
        return self.stopped_at is None

    @property
    def business_seconds_used(self) -> int:
        """Open time used so far (or in all, once stopped), pauses left out."""
        if self.business_seconds is not None:
            return self.business_seconds
        from .clocks import used_seconds
        return used_seconds(self, utcnow())

    @property
    def metric_label(self):
        return self.metric.label

    @property
    def status_label(self):
        return self.status.label


from ..calendars.models import Calendar  # noqa: E402,F401
from ..clients.models import Client  # noqa: E402,F401
from ..tickets.models import Ticket  # noqa: E402,F401

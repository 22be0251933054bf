"""The pure part of SLA: which policy applies, and when a clock is due (no database, no clock).

A clock's open time so far is ``business_seconds_between(started, now) - paused_seconds``;
it is due once that reaches the target, i.e. at ``add_business_time(started, target +
paused_seconds)``. Re-planning is therefore only this formula applied again with the new
policy or calendar: no history has to be replayed.
"""
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Sequence

from ..calendars.hours import BusinessCalendar, add_business_time
from .models import Metric

REALTIME_CHANNELS = frozenset({'chat', 'social', 'sms', 'whatsapp', 'phone'})
CONDITION_FIELDS = ('priority', 'channel', 'language', 'product', 'tags')


@dataclass(frozen=True)
class TicketFacts:
    priority: str
    channel: str
    language: str
    product: str | None = None
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PolicyFacts:
    """A policy as plain data (what the per-process cache holds)."""

    id: int
    name: str
    position: int
    calendar_id: int | None
    conditions: dict = field(default_factory=dict, hash=False, compare=False)
    targets: dict = field(default_factory=dict, hash=False, compare=False)  # {Metric: seconds}
    warning_percent: int = 75
    service_level_percent: int = 80
    pause_statuses: frozenset[str] = frozenset({'pending'})
    breach_priority: str | None = None
    breach_escalation: int = 0
    version: int = 1

    def target(self, metric: Metric) -> int | None:
        return self.targets.get(metric)


def matches(conditions: dict, ticket: TicketFacts) -> bool:
    """Every condition given must hold; a list means "one of". ``tags``: the ticket has one of them."""
    for name in ('priority', 'channel', 'language', 'product'):
        wanted = conditions.get(name)
        if wanted and getattr(ticket, name) not in wanted:
            return False
    tags = conditions.get('tags')
    return not tags or bool(ticket.tags.intersection(tags))


def choose_policy(policies: Sequence[PolicyFacts], ticket: TicketFacts) -> PolicyFacts | None:
    """The first policy by position whose conditions match."""
    return next((p for p in sorted(policies, key=lambda p: p.position) if matches(p.conditions, ticket)), None)


def metrics_at_opening(policy: PolicyFacts, channel: str) -> list[Metric]:
    """The clocks a new ticket starts: first response, resolution and, on real-time channels, answer."""
    wanted = [Metric.first_response, Metric.resolution]
    if channel in REALTIME_CHANNELS:
        wanted.append(Metric.answer)
    return [metric for metric in wanted if policy.target(metric)]


def plan(started_at: datetime, target: int, paused_seconds: int, warning_percent: int,
         calendar: BusinessCalendar | None) -> tuple[datetime | None, datetime | None]:
    """``(due_at, warn_at)`` of a running clock; ``(None, None)`` on a calendar that never opens."""
    due = add_business_time(started_at, target + paused_seconds, calendar)
    if due is None:
        return None, None
    warn = add_business_time(started_at, target * warning_percent // 100 + paused_seconds, calendar)
    return due, warn


def next_timer(clocks: Iterable) -> datetime | None:
    """The next instant a warning or breach of these clocks falls due (running, not paused)."""
    instants = []
    for clock in clocks:
        if clock.stopped_at is not None or clock.paused_at is not None or clock.breached_at is not None:
            continue
        if clock.warned_at is None and clock.warn_at is not None:
            instants.append(clock.warn_at)
        if clock.due_at is not None:
            instants.append(clock.due_at)
    return min(instants, default=None)

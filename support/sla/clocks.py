"""The life of SLA clocks: started, stopped, paused, resumed and re-planned as tickets move.

Every change ends in ``settle``: the ticket's deadline columns (``sla_due_at``,
``sla_warn_at``) follow the running clocks, routing hears the new queue order, and a
timer job is armed when a warning or breach falls due within ``ARM_SECONDS`` (the
minute sweep arms the later ones as they come near, and fires anything a lost job
missed). Clocks are loaded for change with a row lock, after the ticket's own lock.
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from ..calendars.hours import business_seconds_between
from ..calendars.operations import business_calendar
from ..core import jobs
from ..core.clock import utcnow
from ..core.extensions import db
from ..core.transactions import after_commit
from ..tickets.models import Message, MessageKind, Ticket
from ..tickets.operations import SYSTEM, opened_here, record
from ..tickets.states import Status
from .models import ClockStatus, Metric, SlaClock
from .planning import PolicyFacts, TicketFacts, choose_policy, metrics_at_opening, next_timer, plan
from .policies import policies_for, policy_by_id
from .signals import clock_stopped, deadlines_changed, sla_breached, sla_warning

PAUSED_DUE = datetime(9999, 1, 1, tzinfo=timezone.utc)  # a waiting ticket whose clocks all stand still
ARM_SECONDS = 75
DEFAULT_PAUSE = frozenset({'pending'})
RESPONSES = (Metric.first_response, Metric.next_response)


def ticket_facts(ticket: Ticket) -> TicketFacts:
    return TicketFacts(priority=ticket.priority.value, channel=ticket.channel.value, language=ticket.language,
                       product=ticket.product, tags=frozenset(ticket.tags or ()))


def client_of(ticket: Ticket) -> int:
    """The ticket's client id (a ticket being opened has its client object but no id column yet)."""
    return ticket.client_id if ticket.client_id is not None else ticket.client.id


def policy_for(ticket: Ticket) -> PolicyFacts | None:
    return choose_policy(policies_for(client_of(ticket)), ticket_facts(ticket))


def running_clocks(ticket: Ticket) -> list[SlaClock]:
    """The ticket's running clocks, locked until commit (a new ticket's are in memory)."""
    if ticket.id is None or (opened_here(ticket) and 'sla_clocks' in sa.inspect(ticket).dict):
        return [c for c in ticket.sla_clocks if c.stopped_at is None]
    return list(db.session.scalars(
        sa.select(SlaClock).where(SlaClock.ticket_id == ticket.id, SlaClock.stopped_at.is_(None))
        .order_by(SlaClock.id).with_for_update().execution_options(populate_existing=True)))


# --- starting ---------------------------------------------------------------------------

def start_at_opening(ticket: Ticket) -> None:
    """A new ticket (not flushed yet) starts the clocks its policy names."""
    policy = policy_for(ticket)
    if policy is None:
        set_committed_value(ticket, 'sla_clocks', [])  # known to be none: the response needs no query
        return
    for metric in metrics_at_opening(policy, ticket.channel.value):
        _new_clock(ticket, policy, metric, ticket.created_at)
    settle(ticket, announce=False)


def _new_clock(ticket: Ticket, policy: PolicyFacts, metric: Metric, started: datetime, sequence: int = 1,
               paused: bool = False) -> SlaClock:
    clock = SlaClock(client_id=client_of(ticket), metric=metric, sequence=sequence, policy_id=policy.id,
                     calendar_id=policy.calendar_id, target_seconds=policy.target(metric), started_at=started,
                     status=ClockStatus.active, paused_seconds=0, updated_at=utcnow())
    ticket.sla_clocks.append(clock)
    if paused:
        clock.paused_at, clock.status = utcnow(), ClockStatus.paused
    else:
        _plan(clock, policy)
    return clock


def _plan(clock: SlaClock, policy: PolicyFacts | None) -> None:
    warning = policy.warning_percent if policy else 75
    clock.due_at, clock.warn_at = plan(clock.started_at, clock.target_seconds, clock.paused_seconds, warning,
                                       business_calendar(clock.calendar_id))


# --- what happens to a ticket -----------------------------------------------------------

def agent_replied(ticket: Ticket, at: datetime) -> None:
    """A public reply by a person fulfils the first response and the pending next response."""
    clocks = running_clocks(ticket)
    for clock in clocks:
        if clock.metric in RESPONSES:
            _stop(ticket, clock, at, fulfilled=True)
    settle(ticket, clocks)


def customer_wrote(ticket: Ticket, at: datetime) -> None:
    """A customer message after an agent reply starts a next-response clock (if none is running)."""
    policy = policy_for(ticket)  # cached: without a next-response target there is nothing to read
    if policy is None or not policy.target(Metric.next_response):
        return
    clocks = running_clocks(ticket)
    if any(c.metric in RESPONSES for c in clocks) or not _agent_has_replied(ticket):
        return
    sequence = 1 + (db.session.scalar(sa.select(sa.func.max(SlaClock.sequence)).where(
        SlaClock.ticket_id == ticket.id, SlaClock.metric == Metric.next_response)) or 0)
    clocks.append(_new_clock(ticket, policy, Metric.next_response, at, sequence,
                             paused=ticket.status.value in policy.pause_statuses))
    settle(ticket, clocks)


def _agent_has_replied(ticket: Ticket) -> bool:
    return db.session.scalar(sa.select(Message.id).where(
        Message.ticket_id == ticket.id, Message.kind == MessageKind.outbound,
        Message.author_agent_id.is_not(None)).limit(1)) is not None


def answered(ticket: Ticket, at: datetime, first_response: bool = False) -> None:
    """An agent took the real-time contact (accepted the offer, or picked up the call)."""
    clocks = running_clocks(ticket)
    wanted = (Metric.answer, Metric.first_response) if first_response else (Metric.answer,)
    for clock in clocks:
        if clock.metric in wanted:
            _stop(ticket, clock, at, fulfilled=True)
    settle(ticket, clocks)


def abandoned(ticket: Ticket, at: datetime) -> None:
    """The customer left before anyone answered: the answer clock stops unfulfilled."""
    clocks = running_clocks(ticket)
    for clock in clocks:
        if clock.metric == Metric.answer:
            _stop(ticket, clock, at, fulfilled=False)
    settle(ticket, clocks)


def status_changed(ticket: Ticket, before: str, after: str, at: datetime) -> None:
    """Resolve stops, reopen resumes, a pause status pauses, leaving it resumes."""
    if after in (Status.resolved.value, Status.closed.value):
        clocks = running_clocks(ticket)
        for clock in clocks:
            _stop(ticket, clock, at, fulfilled=clock.metric == Metric.resolution)
        settle(ticket, clocks)
        return
    clocks = running_clocks(ticket)
    if before == Status.resolved.value:
        clocks += _resume_resolution(ticket, at)
    for clock in clocks:
        pause_on = _pause_statuses(ticket, clock)
        if after in pause_on and clock.paused_at is None and clock.metric != Metric.answer:
            _pause(clock, at)
        elif after not in pause_on and clock.paused_at is not None:
            _resume(ticket, clock, at)
    settle(ticket, clocks)


def _pause_statuses(ticket: Ticket, clock: SlaClock) -> frozenset[str]:
    policy = policy_by_id(ticket.client_id, clock.policy_id)
    return policy.pause_statuses if policy else DEFAULT_PAUSE


def _resume_resolution(ticket: Ticket, at: datetime) -> list[SlaClock]:
    """A reopened ticket's resolution clock runs on; the time it was resolved counts as paused."""
    clock = db.session.scalar(
        sa.select(SlaClock).where(SlaClock.ticket_id == ticket.id, SlaClock.metric == Metric.resolution,
                                  SlaClock.status != ClockStatus.cancelled)
        .order_by(SlaClock.sequence.desc()).limit(1).with_for_update()
        .execution_options(populate_existing=True))
    if clock is None or clock.stopped_at is None:
        return []
    calendar = business_calendar(clock.calendar_id)
    clock.paused_seconds += business_seconds_between(clock.stopped_at, at, calendar)
    clock.stopped_at, clock.business_seconds = None, None
    clock.status = ClockStatus.breached if clock.breached_at else ClockStatus.active
    clock.updated_at = at
    _plan(clock, policy_by_id(ticket.client_id, clock.policy_id))
    return [clock]


# --- one clock ----------------------------------------------------------------------------

def used_seconds(clock: SlaClock, at: datetime) -> int:
    """Business seconds of open time the clock has used by ``at``, pauses left out."""
    calendar = business_calendar(clock.calendar_id)
    end = clock.stopped_at or clock.paused_at or at
    return max(0, business_seconds_between(clock.started_at, end, calendar) - clock.paused_seconds)


def _stop(ticket: Ticket, clock: SlaClock, at: datetime, fulfilled: bool) -> None:
    if clock.paused_at is not None:
        _end_pause(clock, at)
    if clock.breached_at is None and clock.due_at is not None and clock.due_at <= at:
        mark_breached(ticket, clock)  # the stop came before the timer noticed: the breach happened all the same
    clock.business_seconds = used_seconds(clock, at)
    clock.stopped_at, clock.updated_at = at, at
    if clock.breached_at is not None:
        clock.status = ClockStatus.breached
    else:
        clock.status = ClockStatus.met if fulfilled else ClockStatus.cancelled
    clock_stopped.send(clock, ticket=ticket)


def _pause(clock: SlaClock, at: datetime) -> None:
    clock.paused_at, clock.due_at, clock.warn_at, clock.updated_at = at, None, None, at
    if clock.breached_at is None:
        clock.status = ClockStatus.paused


def _end_pause(clock: SlaClock, at: datetime) -> None:
    clock.paused_seconds += business_seconds_between(clock.paused_at, at, business_calendar(clock.calendar_id))
    clock.paused_at = None


def _resume(ticket: Ticket, clock: SlaClock, at: datetime) -> None:
    _end_pause(clock, at)
    clock.status = ClockStatus.breached if clock.breached_at else ClockStatus.active
    clock.updated_at = at
    _plan(clock, policy_by_id(ticket.client_id, clock.policy_id))


def mark_warned(ticket: Ticket, clock: SlaClock) -> bool:
    """Record the warning once, whoever notices first."""
    if not _claim(clock, SlaClock.warned_at, warned_at=clock.warn_at):
        return False
    clock.warned_at = clock.warn_at
    _announce(ticket, clock, 'sla_warning', sla_warning)
    return True


def mark_breached(ticket: Ticket, clock: SlaClock) -> bool:
    """Record the breach once, whoever notices first (timer, sweep or the late stop)."""
    if not _claim(clock, SlaClock.breached_at, breached_at=clock.due_at, status=ClockStatus.breached):
        return False
    clock.breached_at, clock.status = clock.due_at, ClockStatus.breached
    _announce(ticket, clock, 'sla_breached', sla_breached)
    return True


def _claim(clock: SlaClock, unset, **values) -> bool:
    """A conditional UPDATE: only the first of several workers finds ``unset`` still empty."""
    return db.session.execute(
        sa.update(SlaClock).where(SlaClock.id == clock.id, unset.is_(None)).values(updated_at=utcnow(), **values)
        .returning(SlaClock.id).execution_options(synchronize_session=False)).first() is not None


def _announce(ticket: Ticket, clock: SlaClock, kind: str, signal) -> None:
    policy = policy_by_id(ticket.client_id, clock.policy_id)
    record(ticket, kind, SYSTEM, after=_event_details(clock, policy, due_at=clock.due_at))
    signal.send(clock, ticket=ticket, policy=policy)


def _event_details(clock: SlaClock, policy: PolicyFacts | None, **extra) -> dict:
    return {'metric': clock.metric.value, 'sequence': clock.sequence, 'policy_id': clock.policy_id,
            'policy': policy.name if policy else None, 'target_seconds': clock.target_seconds,
            **{k: v.isoformat() if isinstance(v, datetime) else v for k, v in extra.items()}}


# --- re-planning --------------------------------------------------------------------------

def replan(ticket: Ticket, policies=None, at: datetime | None = None, clocks: list[SlaClock] | None = None,
           ran: set[Metric] | None = None) -> bool:
    """Apply the policy that matches the ticket now to its running clocks; met or breached stay.

    Running clocks get the new target, calendar and due time; a metric the policy no longer
    has is cancelled; one it adds starts from where it would have started. True if anything
    changed. A batch passes the ticket's running ``clocks`` (locked) and the metrics it ever ``ran``.
    """
    at = at or utcnow()
    policy = choose_policy(policies if policies is not None else policies_for(ticket.client_id),
                           ticket_facts(ticket))
    clocks = running_clocks(ticket) if clocks is None else clocks
    before = {c.id: (c.policy_id, c.target_seconds, c.calendar_id, c.due_at, c.warn_at) for c in clocks}
    for clock in [c for c in clocks if c.breached_at is None]:
        target = policy.target(clock.metric) if policy else None
        if target is None:
            _stop(ticket, clock, at, fulfilled=False)
            continue
        clock.policy_id, clock.calendar_id, clock.target_seconds = policy.id, policy.calendar_id, target
        if clock.paused_at is None:
            _plan(clock, policy)
    added = _add_missing(ticket, policy, ran) if policy else []
    changed = bool(added) or any(before[c.id] != (c.policy_id, c.target_seconds, c.calendar_id, c.due_at, c.warn_at)
                                 for c in clocks)
    if changed:
        _note_policy(ticket, {was[0] for was in before.values()} - {None}, policy)
        settle(ticket, clocks + added)
    return changed


def _add_missing(ticket: Ticket, policy: PolicyFacts, ran: set[Metric] | None) -> list[SlaClock]:
    """Clocks of metrics the policy has and the ticket never ran (an agent reply ends first response)."""
    if ticket.status.value not in ('new', 'open', 'pending'):
        return []
    if ran is None:
        ran = set(db.session.scalars(sa.select(SlaClock.metric).where(SlaClock.ticket_id == ticket.id)))
    wanted = [m for m in metrics_at_opening(policy, ticket.channel.value) if m not in ran]
    if not wanted:
        return []
    if Metric.first_response in wanted and _agent_has_replied(ticket):
        wanted.remove(Metric.first_response)
    if Metric.answer in wanted and ticket.assignee_id is not None:
        wanted.remove(Metric.answer)
    paused = ticket.status.value in policy.pause_statuses
    return [_new_clock(ticket, policy, metric, ticket.created_at, paused=paused and metric != Metric.answer)
            for metric in wanted]


def _note_policy(ticket: Ticket, previous: set[int], policy: PolicyFacts | None) -> None:
    """History says when a re-plan put the ticket under another policy."""
    now = policy.id if policy else None
    if previous and previous != ({now} if now else set()):
        record(ticket, 'sla_policy_changed', SYSTEM, before={'policy_id': sorted(previous)[0] if previous else None},
               after={'policy_id': now, 'policy': policy.name if policy else None})


# --- keeping the ticket, routing and timers in step -------------------------------------------

def deadlines(clocks) -> tuple[datetime | None, datetime | None, bool]:
    """``(earliest due, earliest warning, any paused)`` over running clocks."""
    running = [c for c in clocks if c.stopped_at is None]
    ticking = [c for c in running if c.paused_at is None]
    due = min((c.due_at for c in ticking if c.due_at is not None), default=None)
    warn = min((c.warn_at for c in ticking if c.warn_at is not None and c.breached_at is None), default=None)
    return due, warn, any(c.paused_at is not None for c in running)


def routing_due(ticket: Ticket, due: datetime | None, paused: bool) -> datetime:
    if due is not None:
        return due
    return PAUSED_DUE if paused else ticket.created_at


def settle(ticket: Ticket, clocks=None, announce: bool = True) -> None:
    """Keep the ticket's deadline columns, the queue order and the timer job in step with its clocks."""
    clocks = ticket.sla_clocks if clocks is None else clocks
    due, warn, paused = deadlines(clocks)
    moved = (ticket.sla_due_at, ticket.sla_warn_at) != (due, warn)
    ticket.sla_due_at, ticket.sla_warn_at = due, warn
    if announce and (moved or paused):
        deadlines_changed.send(ticket, routing_due=routing_due(ticket, due, paused))
    timer = next_timer(clocks)
    if timer is not None and (timer - utcnow()).total_seconds() <= ARM_SECONDS:
        after_commit(db.session, arm, ticket.id, timer)


def arm(ticket_id: int, at: datetime) -> None:
    """A job at the exact second a warning or breach of this ticket falls due."""
    jobs.enqueue('sla.timer', ticket_id, eta=at)

"""Routing operations: load candidates, lock rows, apply the engine's decision, commit.

Lock order, everywhere: ticket + routing item, then the agent's state row, then the
agent's load rows. Routers that find a ticket or item locked skip it (``SKIP LOCKED``):
whoever holds it is already deciding about it. Capacity is taken with a conditional
update, and a unique partial index allows one pending offer per ticket, so two
processes cannot assign a ticket twice or overfill an agent.
"""
import logging
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask import g, has_app_context
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key
from sqlalchemy.orm.attributes import set_committed_value

from ..agents.availability import free_capacity, room_on, set_presence, take_capacity
from ..agents.models import Agent, agent_clients
from ..agents.presence import MISSED_OFFER, AgentLoad, AgentState, Presence
from ..core import caches, jobs
from ..core.clock import utcnow
from ..core.db import is_postgresql
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.extensions import db
from ..core.i18n import _
from ..core.transactions import after_commit
from ..sla import clocks as sla_clocks
from ..tickets.models import Ticket
from ..tickets.operations import SYSTEM, Actor, opened_here, record
from . import engine, settings
from .models import FAMILIES, REALTIME, ItemState, Offer, OfferStatus, Queue, RoutingItem, automatic_queue_name
from .signals import offer_changed, queue_changed, ticket_routed, work_handed_off, work_resumed

log = logging.getLogger(__name__)
PRIORITY_SORT = {'urgent': 0, 'high': 1, 'normal': 2, 'low': 3}
PULL_BATCH = 25
# Partial-index predicates written as literals: a bound parameter would stop PostgreSQL from
# using the partial index once the driver prepares the statement (generic plans).
IS_WAITING = sa.text("routing_items.state = 'waiting'")
IS_PENDING = sa.text("offers.status = 'pending'")


# --- work to do once the current transaction has committed -------------------------------

def after_commit_route(ticket_id: int, announce: bool = True) -> None:
    after_commit(db.session, _route_soon, [(ticket_id, announce)], [])


def after_commit_pull(agent_id: int) -> None:
    """The agent gained room: pull after commit, and once more when other processes have surely
    forgotten that nobody had room (a ticket they took meanwhile without routing is then pulled)."""
    after_commit(db.session, _route_soon, [], [agent_id])
    if not caches.shared_invalidation():
        after_commit(db.session, _pull_again_later, agent_id)


def _pull_again_later(agent_id: int) -> None:
    from ..core.jobs import huey
    if huey.immediate or not has_app_context():
        return
    try:
        jobs.enqueue('routing.pull', agent_id, eta=utcnow() + timedelta(seconds=caches.ttl_seconds() + 1))
    except Exception:  # the minute sweep lets idle agents pull anyway
        log.exception('could not schedule a second pull for agent %s', agent_id)


def _route_soon(tickets: list, agents: list) -> None:
    """Committed: route in this request (after its response is built) or in a job."""
    if not has_app_context():
        return
    from ..core.jobs import huey
    from .tasks import route_later
    if not settings.route_inline() and not huey.immediate:
        route_later(tickets, agents)
        return
    pending = g.setdefault('routing_pending', ([], []))
    pending[0].extend(tickets)
    pending[1].extend(agents)


def _schedule_expiry_soon(offer_id: int, expires_at) -> None:
    if not has_app_context():
        return  # the periodic sweep expires it
    from .tasks import schedule_expiry
    schedule_expiry(offer_id, expires_at)


def run_pending(limit: int = 200) -> None:
    """Route what committed transactions left to do (tickets to route, agents to fill)."""
    for _round in range(limit):
        pending = g.pop('routing_pending', None) if has_app_context() else None
        if not pending or not (pending[0] or pending[1]):
            return
        for ticket_id, announce in dict.fromkeys(pending[0]):
            _safely(route_ticket, ticket_id, announce)
        for agent_id in dict.fromkeys(pending[1]):
            _safely(pull, agent_id)


def _safely(operation, *args):
    """Run one routing step in its own transaction; a deadlock is retried once."""
    for attempt in (1, 2):
        try:
            result = operation(*args)
            db.session.commit()
            return result
        except OperationalError:
            db.session.rollback()
            if attempt == 2:
                log.exception('routing step %s%r failed twice', operation.__name__, args)
        except Exception:
            db.session.rollback()
            log.exception('routing step %s%r failed', operation.__name__, args)
            return None


# --- queues and items ------------------------------------------------------------------

@dataclass(frozen=True)
class QueueRule:
    """What intake needs of the queue a ticket lands in."""

    id: int
    threshold_seconds: int


# (client, language, family) -> QueueRule; every queue change forgets them all (see core.caches).
_queue_rules = caches.TTLCache('routing.queue_rules')
_queue_rules.watch(Queue)


def queue_for(client_id: int, language: str, channel: str) -> QueueRule:
    """The most specific queue matching the ticket; created per client/language/family if none.

    Matches are cached per process (intake calls this for every ticket); a new queue takes
    effect in this process at once and in the others within ``SUPPORT_CACHE_SECONDS``.
    """
    key = (client_id, language, FAMILIES.get(channel))
    return _queue_rules.get(key, lambda: _rule(_match_queue(*key)))


def _rule(queue: Queue) -> QueueRule:
    return QueueRule(queue.id, queue.threshold_seconds)


def _match_queue(client_id: int, language: str, family: str | None) -> Queue:
    match = db.session.scalar(
        sa.select(Queue).where(sa.or_(Queue.client_id == client_id, Queue.client_id.is_(None)),
                               sa.or_(Queue.language == language, Queue.language.is_(None)),
                               sa.or_(Queue.family == family, Queue.family.is_(None)))
        .order_by(Queue.client_id.is_(None), Queue.language.is_(None), Queue.family.is_(None), Queue.id)
        .limit(1))
    return match or _create_queue(client_id, language, family)


def _create_queue(client_id, language, family) -> Queue:
    from sqlalchemy.exc import IntegrityError
    from ..clients.models import Client
    client = db.session.get(Client, client_id)
    try:
        with db.session.begin_nested():
            queue = Queue(name=automatic_queue_name(client.name, language, family), client_id=client_id, language=language,
                          family=family, threshold_seconds=settings.default_threshold())
            db.session.add(queue)
            db.session.flush()
    except IntegrityError:
        queue = db.session.scalar(sa.select(Queue).filter_by(client_id=client_id, language=language, family=family))
    return queue


def create_queue(name: str, client_id: int | None, language: str | None, family: str | None,
                 threshold_seconds: int) -> Queue:
    exists = db.session.scalar(sa.select(Queue.id).filter_by(client_id=client_id, language=language, family=family))
    if exists is not None:
        raise Conflict(_('A queue for this client, language and channel family already exists.'))
    queue = Queue(name=name, client_id=client_id, language=language, family=family,
                  threshold_seconds=threshold_seconds)
    db.session.add(queue)
    db.session.flush()
    queue_changed.send(queue.id)
    return queue


def enqueue(ticket: Ticket) -> RoutingItem:
    """Put a new ticket in its queue (inside the intake transaction) and route it.

    A ticket opened in this transaction is routed in it, inline (one transaction for intake and
    routing; its savepoint keeps a routing failure from failing the intake); otherwise, or with
    ``SUPPORT_ROUTING_INLINE=0``, after commit.
    """
    queue = queue_for(ticket.client_id, ticket.language, ticket.channel.value)
    item = _new_item(ticket, queue)
    takers = _who_could_take(item)
    inline = bool(takers) and opened_here(ticket) and settings.route_inline()
    outcome = _route_new(item, ticket, takers) if inline else None
    if outcome == 'full':
        item = _new_item(ticket, queue)  # the attempt may have changed it; nobody took the ticket
    db.session.add(item)  # after routing: one INSERT with its final state
    if outcome == 'routed':
        return item
    if outcome == 'failed' or (takers and not inline):
        after_commit_route(ticket.id)
        return item
    # nobody to lock or offer to: announce it now and spare intake a second transaction
    ticket_routed.send(ticket, event='queued', extra={'queue_id': item.queue_id, 'escalation': 0})
    queue_changed.send(item.queue_id)
    return item


def _new_item(ticket: Ticket, queue: QueueRule) -> RoutingItem:
    now = utcnow()
    return RoutingItem(ticket_id=ticket.id, queue_id=queue.id, state=ItemState.waiting, client_id=ticket.client_id,
                       customer_id=ticket.customer_id, language=ticket.language, channel=ticket.channel.value,
                       product=ticket.product, sort_priority=PRIORITY_SORT[ticket.priority.value],
                       due_at=ticket.sla_due_at or ticket.created_at, waiting_since=now, escalation=0,
                       escalate_at=now + timedelta(seconds=queue.threshold_seconds), excluded=[], updated_at=now)


def _who_could_take(item: RoutingItem) -> list:
    """A lock-free look: the available agents with room on this channel who are eligible at all
    (no query when this process knows nobody has room).

    An agent who becomes available at this very moment pulls after their own commit; the
    rare wake-up lost between the two is caught by the minute sweep.
    """
    facts = ticket_facts(item)
    agents = room_on(item.channel, lambda: candidates(item.channel))
    return [agent for agent in agents if engine.eligible(agent, facts)]


def _route_new(item: RoutingItem, ticket: Ticket, agents: list) -> str:
    """Offer or assign a ticket opened in this transaction (its item not in the session yet):
    ``routed``, ``full`` (every candidate filled up meanwhile) or ``failed`` (rolled back to the
    savepoint and left to the after-commit router: routing must not fail the intake)."""
    try:
        previous = None if opened_here(ticket.customer) else previous_agent(item)
        if _reserve_and_give(item, ticket, engine.rank(ticket_facts(item, previous), agents)):
            return 'routed'
    except Exception:
        log.exception('inline routing of ticket %s failed', ticket.id)
        item.state, item.agent_id = ItemState.waiting, None
        return 'failed'
    return 'full'


def _reserve_and_give(item: RoutingItem, ticket: Ticket, ranked) -> str | None:
    """Give the ticket to the first of ``ranked`` who can take it; None when nobody could.

    Each candidate is tried in its own savepoint. One who turns out unavailable or full is
    rolled back to it, which releases the lock on their row: a router holds at most the row
    of the agent it gives to and never waits for one agent while holding another's. (Holding
    the rows of the candidates it passed while waiting for the next is what closed deadlock
    cycles with presence changes and other intakes on PostgreSQL.)
    """
    for agent in ranked:
        savepoint = db.session.begin_nested()
        try:
            state = reserve(agent.id, item.channel)
            if state is None:
                savepoint.rollback()
                continue
            outcome = give(item, ticket, state)
        except Exception:
            if savepoint.is_active:
                savepoint.rollback()
            raise
        savepoint.commit()
        return outcome
    return None


def lock_item(ticket_id: int, skip_locked: bool = False, waiting_only: bool = False):
    """``(item, ticket)`` locked until commit, or None (missing, or locked elsewhere when skipping)."""
    query = (sa.select(RoutingItem, Ticket).join(Ticket, Ticket.id == RoutingItem.ticket_id)
             .where(RoutingItem.ticket_id == ticket_id)
             .with_for_update(skip_locked=skip_locked).execution_options(populate_existing=True))
    if waiting_only:
        query = query.where(RoutingItem.state == ItemState.waiting)
    row = db.session.execute(query).first()
    return (row[0], row[1]) if row else None


def item_for(ticket: Ticket) -> RoutingItem:
    """The ticket's routing item, locked; tickets from before routing existed get one now."""
    found = lock_item(ticket.id)
    if found:
        return found[0]
    item = enqueue(ticket)
    item.state = ItemState.assigned if ticket.assignee_id else ItemState.waiting
    item.agent_id = ticket.assignee_id
    db.session.flush()
    return item


# --- the decision -------------------------------------------------------------------------

def ticket_facts(item: RoutingItem, previous_agent_id: int | None = None) -> engine.TicketFacts:
    return engine.TicketFacts(id=item.ticket_id, client_id=item.client_id, language=item.language,
                              channel=item.channel, product=item.product, sort_priority=item.sort_priority,
                              due_at=item.due_at, escalation=item.escalation,
                              previous_agent_id=previous_agent_id, excluded=excluded_now(item))


# --- exclusions: who declined, missed or transferred a ticket away, until when ----------------

def excluded_now(item: RoutingItem) -> frozenset[int]:
    """Agents still kept from this ticket (each exclusion lapses after the channel's exclusion time)."""
    now = utcnow().timestamp()
    return frozenset(agent_id for agent_id, until in item.excluded or () if until > now)


def _ranked_despite_exclusions(item: RoutingItem, facts: engine.TicketFacts, agents) -> list:
    """Nobody else with room can take it: whoever declined or missed it may, once a short grace has passed.

    Keeping them out for the whole exclusion time would leave the ticket waiting, and breaking
    its SLA, until a supervisor noticed; offering it back the same second would make declining
    pointless. Until the grace passes, a retry is armed for the moment it does.
    """
    now = utcnow().timestamp()
    grace = settings.exclusion_grace().total_seconds()
    timeout = settings.exclusion_timeout(item.channel).total_seconds()
    ripe = {agent_id for agent_id, until in item.excluded or () if until - timeout + grace <= now}
    ranked = engine.rank(replace(facts, excluded=facts.excluded - ripe), agents)
    if ranked:
        item.excluded = [[a, u] for a, u in item.excluded or () if a not in ripe]
    elif facts.excluded - ripe:
        soonest = min(until - timeout + grace for agent_id, until in item.excluded or () if agent_id not in ripe)
        after_commit(db.session, _retry_at, item.ticket_id, soonest)
    return ranked


def _retry_at(ticket_id: int, epoch: float) -> None:
    jobs.enqueue('routing.retry', ticket_id, eta=datetime.fromtimestamp(epoch, timezone.utc))


def exclude_agent(item: RoutingItem, agent_id: int) -> None:
    until = (utcnow() + settings.exclusion_timeout(item.channel)).timestamp()
    kept = [[a, u] for a, u in item.excluded or () if a != agent_id]
    item.excluded = [*kept, [agent_id, int(until) + 1]]


def previous_agent(item: RoutingItem) -> int | None:
    """Who last handled this customer within the sticky window."""
    since = utcnow() - settings.sticky_window()
    return db.session.scalar(
        sa.select(Ticket.assignee_id).where(Ticket.customer_id == item.customer_id, Ticket.assignee_id.is_not(None),
                                            Ticket.updated_at >= since)
        .order_by(Ticket.updated_at.desc()).limit(1))


def candidates(channel: str, agent_ids=None) -> list[engine.AgentFacts]:
    """Available agents with spare capacity on ``channel`` (a handful of rows, whatever the backlog)."""
    query = (sa.select(AgentState.agent_id, AgentState.products, AgentState.since, AgentState.last_routed_at,
                       AgentLoad.capacity, AgentLoad.load, Agent.languages)
             .join(AgentLoad, sa.and_(AgentLoad.agent_id == AgentState.agent_id, AgentLoad.channel == channel))
             .join(Agent, Agent.id == AgentState.agent_id)
             .where(AgentState.status == Presence.available, AgentLoad.load < AgentLoad.capacity,
                    Agent.active.is_(True)))
    if agent_ids is not None:
        query = query.where(AgentState.agent_id.in_(agent_ids))
    rows = db.session.execute(query).all()
    clients = served_clients([r.agent_id for r in rows])
    return [engine.AgentFacts(id=r.agent_id, available=True, languages=frozenset(r.languages or ()),
                              client_ids=clients.get(r.agent_id), products=frozenset(r.products or ()),
                              capacities={channel: r.capacity}, loads={channel: r.load},
                              idle_since=max(filter(None, (r.since, r.last_routed_at))))
            for r in rows]


# agent id -> the client ids they serve (None: every client); forgotten when the agent changes.
_served = caches.TTLCache('routing.served_clients')
_served.watch(Agent, key=lambda agent: agent.id)


def served_clients(agent_ids) -> dict[int, frozenset[int] | None]:
    """Per agent, the client ids they serve; ``None`` for those who serve every client (any role)."""
    found = {}
    missing = []
    for agent_id in agent_ids:
        entry = _served._data.get(agent_id)
        if entry is not None and entry[0] > time.monotonic():
            found[agent_id] = entry[1]
        else:
            missing.append(agent_id)
    if missing:
        generation = _served.generation
        loaded = _load_served_clients(missing)
        for agent_id, served in loaded.items():
            _served.put(agent_id, served, generation)
        found.update(loaded)
    return found


def _load_served_clients(agent_ids) -> dict[int, frozenset[int] | None]:
    if not agent_ids:
        return {}
    rows = db.session.execute(sa.select(Agent.id, Agent.all_clients, agent_clients.c.client_id)
                              .outerjoin(agent_clients, agent_clients.c.agent_id == Agent.id)
                              .where(Agent.id.in_(agent_ids)))
    found = {}
    for agent_id, all_clients, client_id in rows:
        served = found.setdefault(agent_id, None if all_clients else set())
        if served is not None and client_id is not None:
            served.add(client_id)
    return {agent_id: None if served is None else frozenset(served) for agent_id, served in found.items()}


def reserve(agent_id: int, channel: str) -> AgentState | None:
    """Lock the agent; take one unit of capacity if they are still available and not full, and
    mark them routed now (``last_routed_at``, which ``give`` leaves as it is). Callers try
    candidates in savepoints (``_reserve_and_give``), so a failed reservation's lock is let go."""
    if is_postgresql(db.session):
        return _reserve_in_one_statement(agent_id, channel)
    state = db.session.scalar(sa.select(AgentState).where(AgentState.agent_id == agent_id)
                              .with_for_update().execution_options(populate_existing=True))
    if state is None or state.status != Presence.available or not take_capacity(agent_id, channel):
        return None
    state.last_routed_at = utcnow()
    return state


def _reserve_in_one_statement(agent_id: int, channel: str) -> AgentState | None:
    """``reserve`` as one round trip: ``WITH locked AS (SELECT ... FOR UPDATE), took AS (UPDATE
    agent_loads ... WHERE load < capacity RETURNING) UPDATE agent_states ... RETURNING``; nothing
    comes back when the agent is not available or is full."""
    locked = (sa.select(AgentState.agent_id)
              .where(AgentState.agent_id == agent_id, AgentState.status == Presence.available)
              .with_for_update().cte('locked'))
    took = (sa.update(AgentLoad)
            .where(AgentLoad.agent_id.in_(sa.select(locked.c.agent_id)), AgentLoad.channel == channel,
                   AgentLoad.load < AgentLoad.capacity)
            .values(load=AgentLoad.load + 1).returning(AgentLoad.agent_id).cte('took'))
    marked = (sa.update(AgentState).where(AgentState.agent_id.in_(sa.select(took.c.agent_id)))
              .values(last_routed_at=utcnow()).returning(AgentState))
    return db.session.scalars(marked, execution_options={'synchronize_session': False,
                                                         'populate_existing': True}).first()


def route_ticket(ticket_id: int, announce: bool = False) -> str | None:
    """Offer or assign one waiting ticket to the best eligible agent; ``'queued'`` when nobody fits."""
    locked = lock_item(ticket_id, skip_locked=True, waiting_only=True)
    if locked is None:
        return None
    item, ticket = locked
    agents = candidates(item.channel)
    facts = ticket_facts(item, previous_agent(item) if agents else None)
    ranked = engine.rank(facts, agents)
    if not ranked and facts.excluded:
        ranked = _ranked_despite_exclusions(item, facts, agents)
    outcome = _reserve_and_give(item, ticket, ranked)
    if outcome is not None:
        return outcome
    if announce:
        ticket_routed.send(ticket, event='queued', extra={'queue_id': item.queue_id, 'escalation': item.escalation})
        queue_changed.send(item.queue_id)
    return 'queued'


def give(item: RoutingItem, ticket: Ticket, state: AgentState) -> str:
    """Capacity is already taken (and ``state.last_routed_at`` set): offer real-time tickets,
    assign the others."""
    now = utcnow()
    queue_changed.send(item.queue_id)
    if item.channel not in REALTIME:
        assign(item, ticket, state.agent_id, SYSTEM, via='direct')
        return 'assigned'
    offer = Offer(ticket_id=ticket.id, agent_id=state.agent_id, channel=item.channel, status=OfferStatus.pending,
                  created_at=now, expires_at=now + settings.offer_timeout(item.channel))
    db.session.add(offer)
    item.state, item.agent_id, item.updated_at = ItemState.offered, state.agent_id, now
    db.session.flush()
    offer_changed.send(offer, event='created')
    after_commit(db.session, _schedule_expiry_soon, offer.id, offer.expires_at)
    return 'offered'


def assign(item: RoutingItem, ticket: Ticket, agent_id: int, actor: Actor, via: str) -> None:
    """Make ``agent_id`` the assignee (their capacity already counts this ticket)."""
    previous = ticket.assignee_id
    now = utcnow()
    ticket.assignee, ticket.updated_at = db.session.get(Agent, agent_id), now  # loaded once, kept for the answer
    item.state, item.agent_id, item.updated_at = ItemState.assigned, agent_id, now
    sla_clocks.answered(ticket, now)
    record(ticket, 'assigned', actor, before={'assignee_id': previous}, after={'assignee_id': agent_id, 'via': via})
    db.session.flush()
    ticket_routed.send(ticket, event='assigned',
                       extra={'agent_id': agent_id, 'previous_agent_id': previous, 'via': via,
                              'queue_id': item.queue_id})


def pull(agent_id: int) -> int:
    """Fill the agent's spare capacity with the best waiting tickets they are eligible for, then
    with tickets they declined that nobody else can take (past the grace)."""
    given = 0
    while given < 50 and _pull_one(agent_id):
        db.session.commit()
        given += 1
    if _has_room(agent_id):
        for ticket_id in _declined_by(agent_id):
            given += route_ticket(ticket_id) in ('offered', 'assigned')
            db.session.commit()
    return given


def _has_room(agent_id: int) -> bool:
    return db.session.scalar(sa.select(AgentLoad.agent_id).where(AgentLoad.agent_id == agent_id,
                                                                  AgentLoad.load < AgentLoad.capacity).limit(1)) is not None


def _declined_by(agent_id: int, limit: int = 5) -> list[int]:
    """Waiting tickets this agent is excluded from (their fallback decides in ``route_ticket``)."""
    needle = f'%[{agent_id},%'
    return list(db.session.scalars(sa.select(RoutingItem.ticket_id).where(
        IS_WAITING, sa.cast(RoutingItem.excluded, sa.Text).like(needle)).order_by(RoutingItem.due_at).limit(limit)))


def _pull_one(agent_id: int) -> bool:
    state = db.session.scalar(sa.select(AgentState).where(AgentState.agent_id == agent_id)
                              .with_for_update().execution_options(populate_existing=True))
    if state is None or state.status != Presence.available:
        return False
    agent = agent_facts(agent_id, state)
    spare = [ch for ch in agent.capacities if agent.spare(ch) > 0] if agent else []
    if not spare:
        return False
    for facts in _waiting_for(agent, spare):
        locked = lock_item(facts.id, skip_locked=True, waiting_only=True)
        if locked and take_capacity(agent_id, locked[0].channel):
            state.last_routed_at = utcnow()
            give(locked[0], locked[1], state)
            return True
    return False


def agent_facts(agent_id: int, state: AgentState) -> engine.AgentFacts | None:
    agent = db.session.get(Agent, agent_id)
    if agent is None or not agent.active:
        return None
    loads = db.session.execute(sa.select(AgentLoad.channel, AgentLoad.capacity, AgentLoad.load)
                               .where(AgentLoad.agent_id == agent_id)).all()
    return engine.AgentFacts(id=agent_id, available=state.status == Presence.available,
                             languages=frozenset(agent.languages or ()),
                             client_ids=served_clients([agent_id])[agent_id],
                             products=frozenset(state.products or ()),
                             capacities={r.channel: r.capacity for r in loads},
                             loads={r.channel: r.load for r in loads},
                             idle_since=state.last_routed_at)


def _waiting_for(agent: engine.AgentFacts, channels: list[str]) -> list[engine.TicketFacts]:
    """The head of the backlog this agent could take, in queue order.

    One short ordered walk of the partial index ``(language, channel, sort_priority,
    due_at, ticket_id) WHERE state = 'waiting'`` per language and channel, glued with
    UNION ALL into one statement: the cost does not depend on the size of the backlog.
    """
    order = (RoutingItem.sort_priority, RoutingItem.due_at, RoutingItem.ticket_id)
    heads = []
    for language in sorted(agent.languages):
        for channel in channels:
            query = (sa.select(RoutingItem.ticket_id)
                     .where(IS_WAITING, RoutingItem.language == language, RoutingItem.channel == channel)
                     .order_by(*order).limit(PULL_BATCH))
            if agent.client_ids is not None:
                query = query.where(RoutingItem.client_id.in_(sorted(agent.client_ids)))
            head = query.subquery()
            heads.append(sa.select(head.c.ticket_id))
    if not heads:
        return []
    ids = sa.union_all(*heads).subquery()
    items = db.session.scalars(sa.select(RoutingItem).where(RoutingItem.ticket_id.in_(sa.select(ids.c.ticket_id)))
                               .order_by(*order).limit(PULL_BATCH))
    facts = [ticket_facts(item) for item in items]
    chosen = []
    while facts:
        best = engine.next_ticket(agent, facts)
        if best is None:
            break
        chosen.append(best)
        facts = [f for f in facts if f.id != best.id]
    return chosen


# --- offers --------------------------------------------------------------------------------

def _locked_offer(offer_id: int, agent_id: int | None = None):
    offer = db.session.get(Offer, offer_id)
    if offer is None or (agent_id is not None and offer.agent_id != agent_id):
        raise NotFound(_('No such offer.'))
    locked = lock_item(offer.ticket_id)
    if locked is None:
        raise NotFound(_('No such offer.'))
    db.session.refresh(offer)
    return offer, locked[0], locked[1]


def _check_pending(offer: Offer) -> None:
    if offer.status != OfferStatus.pending:
        raise Conflict(_('This offer is no longer open.'), code='offer_closed',
                       fields={'status': [offer.status.value]})
    if offer.expires_at <= utcnow():
        raise Conflict(_('This offer has expired.'), code='offer_expired')


def accept_offer(offer_id: int, agent: Agent) -> Ticket:
    """The agent takes the offered ticket; 409 when it expired or was taken back."""
    offer, item, ticket = _locked_offer(offer_id, agent.id)
    _check_pending(offer)
    offer.status, offer.responded_at = OfferStatus.accepted, utcnow()
    assign(item, ticket, agent.id, Actor.agent(agent), via='offer')
    offer_changed.send(offer, event='accepted')
    return ticket


def decline_offer(offer_id: int, agent: Agent) -> Offer:
    """The agent passes: the ticket goes to the next agent, never back to them."""
    offer, item, ticket = _locked_offer(offer_id, agent.id)
    _check_pending(offer)
    _close_offer(offer, item, OfferStatus.declined, exclude=True)
    after_commit_pull(agent.id)
    return offer


def expire_offer(offer_id: int) -> bool:
    """Expire one overdue offer (a no-op when it was answered or is not due: jobs may repeat)."""
    offer = db.session.get(Offer, offer_id)
    if offer is None:
        return False
    locked = lock_item(offer.ticket_id, skip_locked=True)
    if locked is None:
        return False
    db.session.refresh(offer)
    if offer.status != OfferStatus.pending or offer.expires_at > utcnow():
        return False
    _close_offer(offer, locked[0], OfferStatus.expired, exclude=True)
    if settings.away_on_miss():
        set_presence(offer.agent_id, Presence.away, MISSED_OFFER, system=True)
    else:
        after_commit_pull(offer.agent_id)
    return True


def _close_offer(offer: Offer, item: RoutingItem, status: OfferStatus, exclude: bool) -> None:
    offer.status, offer.responded_at = status, utcnow()
    free_capacity(offer.agent_id, offer.channel)
    if exclude:
        exclude_agent(item, offer.agent_id)
    _requeue(item)
    offer_changed.send(offer, event=status.value)


def _requeue(item: RoutingItem) -> None:
    item.state, item.agent_id, item.updated_at = ItemState.waiting, None, utcnow()
    queue_changed.send(item.queue_id)
    after_commit_route(item.ticket_id)


def cancel_offers_of(agent_id: int) -> None:
    """An agent who leaves ``available`` gives back the offers they have not answered."""
    ids = db.session.scalars(sa.select(Offer.ticket_id).where(Offer.agent_id == agent_id,
                                                              Offer.status == OfferStatus.pending)).all()
    for ticket_id in ids:
        locked = lock_item(ticket_id, skip_locked=True)  # locked: someone is answering it right now
        offer = locked and db.session.scalar(sa.select(Offer).where(
            Offer.ticket_id == ticket_id, Offer.agent_id == agent_id, Offer.status == OfferStatus.pending)
            .execution_options(populate_existing=True))
        if offer:
            _close_offer(offer, locked[0], OfferStatus.cancelled, exclude=False)


def sweep_offers(limit: int = 500) -> int:
    """Expire every overdue pending offer, each in its own transaction."""
    due = db.session.scalars(sa.select(Offer.id).where(IS_PENDING, Offer.expires_at <= utcnow())
                             .order_by(Offer.expires_at).limit(limit)).all()
    db.session.commit()
    return sum(bool(_safely(expire_offer, offer_id)) for offer_id in due)


# --- escalation ----------------------------------------------------------------------------

def escalate(ticket_id: int) -> bool:
    """Widen eligibility of a ticket that waited past its queue's threshold (idempotent)."""
    locked = lock_item(ticket_id, skip_locked=True, waiting_only=True)
    if locked is None:
        return False
    item, ticket = locked
    now = utcnow()
    if item.escalate_at is None or item.escalate_at > now or item.escalation >= engine.LAST_LEVEL:
        return False
    item.escalation += 1
    item.escalate_at = (now + timedelta(seconds=item.queue.threshold_seconds)
                        if item.escalation < engine.LAST_LEVEL else None)
    record(ticket, 'escalated', SYSTEM, before={'escalation': item.escalation - 1},
           after={'escalation': item.escalation})
    ticket_routed.send(ticket, event='escalated', extra={'queue_id': item.queue_id, 'escalation': item.escalation})
    queue_changed.send(item.queue_id)
    after_commit_route(ticket_id, announce=False)
    return True


def escalate_to(ticket: Ticket, level: int, actor: Actor = SYSTEM) -> bool:
    """Re-queue a waiting or offered ticket at escalation ``level`` at once (an SLA breach policy).

    An assigned ticket stays with its agent: the breach shows on the dashboard, and taking
    work from someone mid-conversation is the supervisor's call.
    """
    locked = lock_item(ticket.id)
    if locked is None:
        return False
    item = locked[0]
    if item.state not in (ItemState.waiting, ItemState.offered) or item.escalation >= level:
        return False
    if item.state == ItemState.offered:
        release(item, ticket)
        item.state = ItemState.waiting
    before, item.escalation = item.escalation, level
    item.escalate_at = (utcnow() + timedelta(seconds=item.queue.threshold_seconds)
                        if level < engine.LAST_LEVEL else None)
    record(ticket, 'escalated', actor, before={'escalation': before}, after={'escalation': level, 'via': 'sla'})
    ticket_routed.send(ticket, event='escalated', extra={'queue_id': item.queue_id, 'escalation': level})
    queue_changed.send(item.queue_id)
    after_commit_route(ticket.id, announce=False)
    return True


def set_due(ticket_id: int, due_at) -> None:
    """The queue order follows the ticket's SLA deadlines (written with the session's next flush)."""
    db.session.info.setdefault(_DUE_KEY, {})[ticket_id] = due_at


_DUE_KEY = 'routing_due_at'
_SET_DUE = (sa.update(RoutingItem.__table__)
            .where(RoutingItem.__table__.c.ticket_id == sa.bindparam('item'),
                   RoutingItem.__table__.c.due_at != sa.bindparam('due'))
            .values(due_at=sa.bindparam('due')))


@sa.event.listens_for(Session, 'before_flush')
def _write_due_times_with_flush(session, flush_context, instances):
    _write_due_times(session)


@sa.event.listens_for(Session, 'before_commit')
def _write_due_times(session):
    """One executemany UPDATE for every due time moved since the last flush (a re-plan moves thousands)."""
    moved = session.info.pop(_DUE_KEY, None)
    if not moved:
        return
    session.connection().execute(_SET_DUE, [{'item': ticket_id, 'due': due} for ticket_id, due in moved.items()])
    for ticket_id, due in moved.items():
        item = session.identity_map.get(identity_key(RoutingItem, ticket_id))
        if item is not None:
            set_committed_value(item, 'due_at', due)


def reroute_excluded(limit: int = 200) -> int:
    """Safety net: waiting tickets whose only candidates declined or missed them are offered again."""
    ids = db.session.scalars(sa.select(RoutingItem.ticket_id).where(
        IS_WAITING, sa.cast(RoutingItem.excluded, sa.Text) != '[]').order_by(RoutingItem.due_at).limit(limit)).all()
    db.session.commit()
    return sum(_safely(route_ticket, ticket_id) in ('offered', 'assigned') for ticket_id in ids)


def sweep_escalations(limit: int = 500) -> int:
    due = db.session.scalars(sa.select(RoutingItem.ticket_id).where(IS_WAITING, RoutingItem.escalate_at <= utcnow())
                             .order_by(RoutingItem.escalate_at).limit(limit)).all()
    db.session.commit()
    return sum(bool(_safely(escalate, ticket_id)) for ticket_id in due)


def rebalance() -> None:
    """Safety net: every available agent with spare capacity pulls (after a lost wake-up or job)."""
    agent_ids = db.session.scalars(
        sa.select(AgentState.agent_id).join(AgentLoad, AgentLoad.agent_id == AgentState.agent_id)
        .where(AgentState.status == Presence.available, AgentLoad.load < AgentLoad.capacity).distinct()).all()
    db.session.commit()
    for agent_id in agent_ids:
        _safely(pull, agent_id)


# --- ticket life cycle, transfers, language switch -----------------------------------------

def release(item: RoutingItem, ticket: Ticket, trigger: str | None = None, actor: Actor | None = None) -> int | None:
    """Take the ticket away from whoever holds it (offer or assignment); returns that agent.

    When the holder gives it up themselves (``trigger`` with them as ``actor``), the wrap-up
    domain may keep their capacity taken for a while (``work_handed_off``).
    """
    holder = item.agent_id
    kept = False
    if item.state == ItemState.offered:
        offer = db.session.scalar(sa.select(Offer).where(Offer.ticket_id == ticket.id,
                                                         Offer.status == OfferStatus.pending))
        if offer is not None:
            offer.status, offer.responded_at = OfferStatus.cancelled, utcnow()
            free_capacity(offer.agent_id, offer.channel)
            offer_changed.send(offer, event='cancelled')
    elif item.state == ItemState.assigned and holder is not None:
        kept = _kept_for_wrapup(ticket, holder, item.channel, trigger, actor)
        if not kept:
            free_capacity(holder, item.channel)
    if holder is not None and not kept:
        after_commit_pull(holder)
    item.agent_id = None
    return holder


def _kept_for_wrapup(ticket: Ticket, holder: int, channel: str, trigger: str | None, actor: Actor | None) -> bool:
    if trigger is None or actor is None or actor.type != 'agent' or actor.id != holder:
        return False
    replies = work_handed_off.send(ticket, agent_id=holder, channel=channel, trigger=trigger)
    return any(kept for _receiver, kept in replies)


def on_status_changed(ticket: Ticket, before: str, after: str, actor: Actor | None = None) -> None:
    """Solved or closed frees the agent's capacity (after a wrap-up when they resolved it themselves);
    a reopened ticket goes back to its agent."""
    from ..tickets.states import ACTIVE, Status
    item = item_for(ticket)
    if Status(after) not in ACTIVE and item.state != ItemState.done:
        release(item, ticket, 'resolve' if after == Status.resolved.value else None, actor)
        item.state, item.updated_at = ItemState.done, utcnow()
        queue_changed.send(item.queue_id)
    elif Status(after) in ACTIVE and item.state == ItemState.done:
        _reopen(item, ticket)


def _reopen(item: RoutingItem, ticket: Ticket) -> None:
    if ticket.assignee_id and (_resumed(ticket, item.channel) or take_capacity(ticket.assignee_id, item.channel)):
        item.state, item.agent_id, item.updated_at = ItemState.assigned, ticket.assignee_id, utcnow()
        return
    ticket.assignee_id = None
    item.waiting_since = utcnow()
    _requeue(item)


def _resumed(ticket: Ticket, channel: str) -> bool:
    """The assignee's running wrap-up on this ticket hands its capacity back to the ticket."""
    replies = work_resumed.send(ticket, agent_id=ticket.assignee_id, channel=channel)
    return any(held for _receiver, held in replies)


def abandon(ticket: Ticket, at: datetime) -> bool:
    """The customer left a real-time contact before any agent accepted it: mark the ticket abandoned,
    withdraw its offer and take it out of the queue (it stays open for a follow-up). A contact an agent
    holds, or one already abandoned, is left as it is."""
    from ..tickets.signals import ticket_updated
    from ..tickets.states import ACTIVE
    item = item_for(ticket)
    if ticket.abandoned_at is not None or ticket.assignee_id is not None or ticket.status not in ACTIVE:
        return False
    if item.state not in (ItemState.waiting, ItemState.offered):
        return False
    release(item, ticket)
    item.state, item.updated_at = ItemState.done, utcnow()
    ticket.abandoned_at, ticket.updated_at = at, utcnow()
    sla_clocks.abandoned(ticket, at)
    record(ticket, 'abandoned', Actor('customer', ticket.customer_id, None), after={'abandoned_at': at.isoformat()})
    ticket_updated.send(ticket, changes={'abandoned_at': (None, at.isoformat())}, actor=SYSTEM)
    queue_changed.send(item.queue_id)
    return True


def customer_returned(ticket: Ticket) -> None:
    """A customer who had abandoned writes again: the ticket waits in its queue once more."""
    item = item_for(ticket)
    if ticket.abandoned_at is None or item.state != ItemState.done or ticket.assignee_id is not None:
        return
    record(ticket, 'customer_returned', SYSTEM, before={'abandoned_at': ticket.abandoned_at.isoformat()})
    ticket.abandoned_at = None
    item.waiting_since = utcnow()
    _requeue(item)


def transfer_to_agent(ticket: Ticket, target_id: int, actor: Actor, via: str = 'transfer') -> Ticket:
    """Assign directly to ``target_id`` (409 when they have no spare capacity on this channel)."""
    target = db.session.get(Agent, target_id)
    if target is None or not target.active:
        raise ValidationFailed(fields={'agent_id': [_('No such agent.')]})
    if not target.serves_client(ticket.client_id):  # tenancy: a ticket never leaves its client's agents
        raise ValidationFailed(fields={'agent_id': [_('{name} does not serve this client.').format(name=target.name)]})
    item = item_for(ticket)
    if item.state == ItemState.assigned and item.agent_id == target_id:
        return ticket
    if item.state == ItemState.done:
        raise Conflict(_('Only open tickets can be transferred.'), code='ticket_closed')
    release(item, ticket, 'transfer', actor)
    if not take_capacity(target_id, item.channel) and not _ensure_loads(target_id, item.channel):
        raise Conflict(_('{name} has no spare capacity for {channel}.').format(name=target.name,
                                                                              channel=item.channel),
                       code='no_capacity')
    assign(item, ticket, target_id, actor, via=via)
    queue_changed.send(item.queue_id)
    return ticket


def _ensure_loads(agent_id: int, channel: str) -> bool:
    """An agent who never had a state row gets one (default capacities), then capacity is taken."""
    from ..agents.availability import ensure_state
    if db.session.get(AgentState, agent_id) is not None:
        return False
    ensure_state(agent_id)
    return take_capacity(agent_id, channel)


def transfer_to_queue(ticket: Ticket, queue: Queue, actor: Actor) -> Ticket:
    """Send the ticket back to waiting in ``queue`` (and to its language, when the queue has one)."""
    if queue.client_id is not None and queue.client_id != ticket.client_id:
        raise ValidationFailed(fields={'queue_id': [_('This queue is for another client.')]})
    if queue.family is not None and FAMILIES.get(ticket.channel.value) != queue.family:
        raise ValidationFailed(fields={'queue_id': [_('This queue does not take this channel.')]})
    item = item_for(ticket)
    if item.state == ItemState.done:
        raise Conflict(_('Only open tickets can be transferred.'), code='ticket_closed')
    holder = release(item, ticket, 'unassign', actor)
    if holder is not None and actor.type == 'agent' and actor.id == holder:
        exclude_agent(item, holder)
    if queue.language and queue.language != ticket.language:
        _change_language(ticket, item, queue.language, actor)
    previous_queue = item.queue_id
    _unassign(ticket, actor, holder)
    item.queue_id, item.escalation, item.waiting_since = queue.id, 0, utcnow()
    item.escalate_at = item.waiting_since + timedelta(seconds=queue.threshold_seconds)
    queue_changed.send(previous_queue)
    _requeue(item)
    return ticket


def _unassign(ticket: Ticket, actor: Actor, holder: int | None) -> None:
    if ticket.assignee_id is not None:
        record(ticket, 'unassigned', actor, before={'assignee_id': ticket.assignee_id}, after={'assignee_id': None})
        ticket.assignee_id, ticket.updated_at = None, utcnow()


def _change_language(ticket: Ticket, item: RoutingItem, language: str, actor: Actor) -> None:
    record(ticket, 'language_changed', actor, before={'language': ticket.language}, after={'language': language})
    ticket.language, item.language, ticket.updated_at = language, language, utcnow()


def switch_language(ticket: Ticket, language: str, actor: Actor) -> None:
    """The customer now writes in ``language``: re-route unless the holder speaks it."""
    item = item_for(ticket)
    _change_language(ticket, item, language, actor)
    if item.state == ItemState.done:
        return
    holder = db.session.get(Agent, item.agent_id) if item.agent_id else None
    if holder is not None and language in (holder.languages or []):
        return
    queue = queue_for(ticket.client_id, language, item.channel)
    if item.state != ItemState.waiting:
        holder_id = release(item, ticket)
        _unassign(ticket, actor, holder_id)
    previous_queue, item.queue_id = item.queue_id, queue.id
    queue_changed.send(previous_queue)
    _requeue(item)

"""Read models of routing: queue entries, agent entries, offers, presence (REST and live share them)."""
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..agents.availability import default_capacities
from ..agents.models import Agent, Role, agent_clients
from ..agents.scope import agents_in_scope, in_scope, restrict
from ..agents.presence import AgentLoad, AgentState, Presence
from ..clients.models import Client
from ..core.clock import utcnow
from ..core.extensions import db
from ..tickets.payloads import ticket_summary
from ..tickets.models import Ticket
from ..tickets.states import ACTIVE
from ..sla.models import ClockStatus, Metric, SlaClock, SlaPolicy
from .models import REALTIME, ItemState, Offer, OfferStatus, Queue, RoutingItem


# Fields other domains add to presence entries (wrap-up adds the running wrap-ups and sets
# ``activity``): functions ``f(agent_ids) -> {agent_id: {field: value}}``, see ``presence_extra``.
_PRESENCE_EXTRAS: list = []


def presence_extra(provider):
    """Register ``provider`` (a decorator); routing calls it for every presence entry it builds."""
    _PRESENCE_EXTRAS.append(provider)
    return provider


def presence_extras(agent_ids) -> dict[int, dict]:
    found = {}
    for provider in _PRESENCE_EXTRAS:
        for agent_id, extra in provider(list(agent_ids)).items():
            found.setdefault(agent_id, {}).update(extra)
    return found


def presence_entry(state: AgentState | None, agent_id: int | None = None, extras: dict | None = None) -> dict:
    """Presence as shown everywhere; ``activity`` is the status unless another domain says more ("wrap_up")."""
    agent_id = state.agent_id if state is not None else agent_id
    if extras is None:
        extras = presence_extras([agent_id]).get(agent_id, {})
    if state is None:
        entry = {'agent_id': agent_id, 'status': Presence.offline.value, 'reason': None, 'since': None}
    else:
        entry = {'agent_id': state.agent_id, 'status': state.status.value, 'reason': state.reason,
                 'since': state.since.isoformat()}
    return {**entry, 'activity': entry['status'], **extras}


def offer_entry(offer: Offer) -> dict:
    return {'id': offer.id, 'ticket': ticket_summary(offer.ticket), 'agent_id': offer.agent_id,
            'status': offer.status.value, 'channel': offer.channel, 'created_at': offer.created_at.isoformat(),
            'expires_at': offer.expires_at.isoformat(),
            'responded_at': offer.responded_at.isoformat() if offer.responded_at else None}


def _loads(agent_ids) -> dict[int, tuple[dict, dict]]:
    found = {}
    rows = db.session.execute(sa.select(AgentLoad).where(AgentLoad.agent_id.in_(agent_ids))).scalars()
    for row in rows:
        caps, loads = found.setdefault(row.agent_id, ({}, {}))
        caps[row.channel], loads[row.channel] = row.capacity, row.load
    return found


def agent_entries(agents: list[Agent], with_tickets: bool = True, viewer: Agent | None = None) -> list[dict]:
    """What supervisors see per agent: presence, skills, capacity and load, open tickets
    (a restricted ``viewer`` sees only the tickets and client names of their clients)."""
    ids = [a.id for a in agents]
    states = {s.agent_id: s for s in db.session.scalars(sa.select(AgentState).where(AgentState.agent_id.in_(ids)))}
    loads = _loads(ids)
    tickets = _open_tickets(ids, viewer) if with_tickets else {}
    extras = presence_extras(ids) if ids else {}
    entries = []
    for agent in agents:
        caps, load = loads.get(agent.id, (default_capacities(), {}))
        state = states.get(agent.id)
        entries.append({'id': agent.id, 'name': agent.name, 'role': agent.role.value,
                        'site': agent.site.name if agent.site else None, 'languages': list(agent.languages or []),
                        'clients': [c.slug for c in agent.clients if viewer is None or in_scope(viewer, c.id)],
                        'all_clients': agent.all_clients, 'products': list(state.products) if state else [],
                        'presence': presence_entry(state, agent.id, extras.get(agent.id, {})), 'capacities': caps,
                        'load': {ch: load.get(ch, 0) for ch in caps},
                        'tickets': [ticket_summary(t) for t in tickets.get(agent.id, [])]})
    return entries


def _open_tickets(agent_ids, viewer: Agent | None) -> dict[int, list[Ticket]]:
    found = {}
    query = sa.select(Ticket).where(Ticket.assignee_id.in_(agent_ids), Ticket.status.in_(list(ACTIVE)))
    if viewer is not None:
        query = restrict(query, Ticket.client_id, viewer)
    rows = db.session.scalars(query.options(selectinload(Ticket.client), selectinload(Ticket.customer))
                              .order_by(Ticket.id))
    for ticket in rows:
        found.setdefault(ticket.assignee_id, []).append(ticket)
    return found


def routable_agents(viewer: Agent | None = None) -> list[Agent]:
    """Active accounts (for a restricted viewer: those who serve one of the viewer's clients)."""
    query = sa.select(Agent).where(Agent.active.is_(True))
    if viewer is not None:
        query = agents_in_scope(query, viewer)
    return list(db.session.scalars(query.options(selectinload(Agent.clients), selectinload(Agent.site))
                                   .order_by(Agent.id)))


def me_entry(agent: Agent) -> dict:
    entry = agent_entries([agent], with_tickets=False)[0]
    offers = pending_offers(agent.id)
    return {'agent': {'id': agent.id, 'name': agent.name, 'languages': entry['languages'], 'site': entry['site']},
            'presence': entry['presence'], 'capacities': entry['capacities'], 'load': entry['load'],
            'offers': [offer_entry(o) for o in offers]}


def pending_offers(agent_id: int) -> list[Offer]:
    return list(db.session.scalars(sa.select(Offer).where(Offer.agent_id == agent_id,
                                                          Offer.status == OfferStatus.pending)
                                   .options(selectinload(Offer.ticket)).order_by(Offer.id)))


# --- queues ----------------------------------------------------------------------------

def _queue_figures(queue_ids) -> dict:
    rows = db.session.execute(
        sa.select(RoutingItem.queue_id, RoutingItem.state, sa.func.count(), sa.func.min(RoutingItem.waiting_since))
        .where(RoutingItem.queue_id.in_(queue_ids), RoutingItem.state.in_([ItemState.waiting, ItemState.offered]))
        .group_by(RoutingItem.queue_id, RoutingItem.state)).all()
    figures = {}
    for queue_id, state, count, oldest in rows:
        figures.setdefault(queue_id, {})[state] = (count, oldest)
    return figures


def _staff() -> list[tuple]:
    """``(languages, client ids or None for all, status, spare per channel)`` of every active agent with a state."""
    rows = db.session.execute(sa.select(AgentState.agent_id, AgentState.status, Agent.languages, Agent.all_clients)
                              .join(Agent, Agent.id == AgentState.agent_id)
                              .where(Agent.active.is_(True), AgentState.status != Presence.offline)).all()
    ids = [r.agent_id for r in rows]
    loads = _loads(ids) if ids else {}
    clients = {}
    for agent_id, client_id in db.session.execute(sa.select(agent_clients.c.agent_id, agent_clients.c.client_id)
                                                  .where(agent_clients.c.agent_id.in_(ids))) if ids else []:
        clients.setdefault(agent_id, set()).add(client_id)
    staff = []
    for r in rows:
        caps, load = loads.get(r.agent_id, ({}, {}))
        spare = {ch: caps[ch] - load.get(ch, 0) for ch in caps}
        served = None if r.all_clients else clients.get(r.agent_id, set())
        staff.append((set(r.languages or ()), served, r.status, spare))
    return staff


SERVICE_LEVEL_WINDOW = timedelta(minutes=30)
_REALTIME_LIST = sorted(REALTIME)


def _service_levels(queue_ids, now) -> dict:
    """Per queue, over the last 30 minutes: contacts answered within target out of those that finished
    their answer clock (real-time channels) or first-response clock (the others), or breached it."""
    since = now - SERVICE_LEVEL_WINDOW
    metric = sa.case((RoutingItem.channel.in_(_REALTIME_LIST), Metric.answer.value),
                     else_=Metric.first_response.value)
    finished = sa.or_(sa.and_(SlaClock.stopped_at >= since, SlaClock.status.in_([ClockStatus.met,
                                                                                  ClockStatus.breached])),
                      SlaClock.breached_at >= since)
    rows = db.session.execute(
        sa.select(RoutingItem.queue_id, sa.func.count(),
                  sa.func.sum(sa.case((sa.and_(SlaClock.status == ClockStatus.met, SlaClock.stopped_at >= since), 1),
                                      else_=0)),
                  sa.func.max(SlaPolicy.service_level_percent))
        .join(SlaClock, SlaClock.ticket_id == RoutingItem.ticket_id)
        .outerjoin(SlaPolicy, SlaPolicy.id == SlaClock.policy_id)
        .where(RoutingItem.queue_id.in_(queue_ids), SlaClock.metric == metric, finished)
        .group_by(RoutingItem.queue_id)).all()
    return {queue_id: (total, int(within or 0), goal) for queue_id, total, within, goal in rows}


def _sla_risks(queue_ids, now) -> dict:
    """Per queue: open tickets past a warning point (at risk) and past a due time (breached)."""
    open_states = [ItemState.waiting, ItemState.offered, ItemState.assigned]
    rows = db.session.execute(
        sa.select(RoutingItem.queue_id,
                  sa.func.sum(sa.case((sa.and_(Ticket.sla_warn_at <= now, Ticket.sla_due_at > now), 1), else_=0)),
                  sa.func.sum(sa.case((Ticket.sla_due_at <= now, 1), else_=0)))
        .join(Ticket, Ticket.id == RoutingItem.ticket_id)
        .where(RoutingItem.queue_id.in_(queue_ids), RoutingItem.state.in_(open_states),
               Ticket.sla_due_at.is_not(None))
        .group_by(RoutingItem.queue_id)).all()
    return {queue_id: (int(at_risk or 0), int(breached or 0)) for queue_id, at_risk, breached in rows}


def queue_entries(queue_ids=None, agent: Agent | None = None) -> list[dict]:
    """Per queue: waiting count, oldest wait, offers in flight, agents available/busy, unstaffed,
    the service level of the last 30 minutes and the tickets at risk of or past their SLA."""
    query = sa.select(Queue).options(selectinload(Queue.client)).order_by(Queue.id)
    if queue_ids is not None:
        query = query.where(Queue.id.in_(list(queue_ids)))
    queues = list(db.session.scalars(query))
    if agent is not None and agent.role == Role.agent:
        queues = [q for q in queues if _agent_serves(agent, q)]
    elif agent is not None:  # supervisors: the queues of their clients (queues for every client: unrestricted only)
        queues = [q for q in queues if in_scope(agent, q.client_id)]
    ids = [q.id for q in queues]
    figures = _queue_figures(ids) if queues else {}
    staff = _staff() if queues else []
    now = utcnow()
    levels = _service_levels(ids, now) if queues else {}
    risks = _sla_risks(ids, now) if queues else {}
    return [{**_queue_entry(q, figures.get(q.id, {}), staff, now), **_sla_entry(levels.get(q.id), risks.get(q.id))}
            for q in queues]


def _sla_entry(level, risk) -> dict:
    total, within, goal = level or (0, 0, None)
    at_risk, breached = risk or (0, 0)
    return {'service_level': {'window_seconds': int(SERVICE_LEVEL_WINDOW.total_seconds()), 'contacts': total,
                              'within_target': within,
                              'percent': round(100 * within / total, 1) if total else None,
                              'goal_percent': goal},
            'sla_at_risk': at_risk, 'sla_breached': breached}


def _agent_serves(agent: Agent, queue: Queue) -> bool:
    return ((queue.language is None or queue.language in (agent.languages or []))
            and (queue.client_id is None or agent.serves_client(queue.client_id)))


def _queue_entry(queue: Queue, figures: dict, staff, now) -> dict:
    waiting, oldest = figures.get(ItemState.waiting, (0, None))
    offered, _oldest = figures.get(ItemState.offered, (0, None))
    serving = [(status, spare) for langs, served, status, spare in staff
               if (queue.language is None or queue.language in langs)
               and (served is None or queue.client_id is None or queue.client_id in served)]
    on_duty = [spare for status, spare in serving if status == Presence.available]
    free = sum(1 for spare in on_duty if any(spare.get(ch, 0) > 0 for ch in queue.channels))
    speakers = any(status == Presence.available and (queue.language is None or queue.language in langs)
                   for langs, _served, status, _spare in staff)
    return {'id': queue.id, 'name': queue.display_name(), 'client': queue.client.slug if queue.client else None,
            'language': queue.language, 'family': queue.family, 'channels': queue.channels,
            'waiting': waiting, 'oldest_wait_seconds': int((now - oldest).total_seconds()) if oldest else 0,
            'offers_in_flight': offered, 'agents_available': free, 'agents_busy': len(on_duty) - free,
            'threshold_seconds': queue.threshold_seconds, 'unstaffed': not speakers}


def supervisor_snapshot(viewer: Agent) -> dict:
    return {'generated_at': utcnow().isoformat(), 'queues': queue_entries(agent=viewer),
            'agents': agent_entries(routable_agents(viewer), viewer=viewer)}


def client_by_slug(slug: str) -> Client | None:
    return db.session.scalar(sa.select(Client).where(Client.slug == slug))

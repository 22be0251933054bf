"""The routing decision: a pure function over plain data (no database, no clock).

Rules, in order (Twilio TaskRouter / Zendesk omnichannel semantics):

1. Eligible agents are available, speak the ticket's language, serve its client and
   product, have spare capacity on its channel, and have not declined, missed or
   transferred away this ticket. Escalation widens this within the client, never beyond
   it (tenancy): level 1 ignores the product line; level 2 (the last) changes no skill
   and tells the supervisors that the client's agents cannot drain the queue.
2. The customer's previous agent (within the sticky window, decided by the caller)
   wins when eligible.
3. Otherwise the most spare capacity relative to the agent's limit on that channel;
   ties go to the agent idle the longest (never routed counts as longest), then the
   lowest id so the result is deterministic.

An agent who pulls work takes the first eligible ticket in queue order: priority,
then the earliest due time, then arrival.
"""
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Mapping, Sequence

ANY_PRODUCT = 1
LAST_LEVEL = 2
_NEVER = datetime.min


@dataclass(frozen=True)
class TicketFacts:
    id: int
    client_id: int
    language: str
    channel: str
    product: str | None = None
    sort_priority: int = 2            # 0 urgent, 1 high, 2 normal, 3 low
    due_at: datetime | None = None
    escalation: int = 0
    previous_agent_id: int | None = None
    excluded: frozenset[int] = frozenset()


@dataclass(frozen=True)
class AgentFacts:
    id: int
    available: bool
    languages: frozenset[str]
    client_ids: frozenset[int] | None = None     # None: every client; empty: none
    products: frozenset[str] = frozenset()       # empty: every product
    capacities: Mapping[str, int] = field(default_factory=dict)
    loads: Mapping[str, int] = field(default_factory=dict)
    idle_since: datetime | None = None           # None: never routed (idle longest)

    def spare(self, channel: str) -> int:
        return self.capacities.get(channel, 0) - self.loads.get(channel, 0)

    def spare_ratio(self, channel: str) -> float:
        capacity = self.capacities.get(channel, 0)
        return self.spare(channel) / capacity if capacity > 0 else 0.0


def serves(agent: AgentFacts, ticket: TicketFacts) -> bool:
    """Skill match only (language, client, product); escalation widens the product, never the client."""
    if ticket.language not in agent.languages:
        return False
    if agent.client_ids is not None and ticket.client_id not in agent.client_ids:
        return False
    if ticket.escalation >= ANY_PRODUCT or not agent.products or ticket.product is None:
        return True
    return ticket.product in agent.products


def eligible(agent: AgentFacts, ticket: TicketFacts) -> bool:
    return (agent.available and agent.id not in ticket.excluded and agent.spare(ticket.channel) > 0
            and serves(agent, ticket))


def _score(agent: AgentFacts, channel: str) -> tuple:
    return (-agent.spare_ratio(channel), agent.idle_since or _NEVER, agent.id)


def rank(ticket: TicketFacts, agents: Iterable[AgentFacts]) -> list[AgentFacts]:
    """Eligible agents, best first: the sticky agent, then by spare ratio, idle time, id."""
    candidates = sorted((a for a in agents if eligible(a, ticket)), key=lambda a: _score(a, ticket.channel))
    sticky = [a for a in candidates if a.id == ticket.previous_agent_id]
    return sticky + [a for a in candidates if a.id != ticket.previous_agent_id]


def choose(ticket: TicketFacts, agents: Iterable[AgentFacts]) -> AgentFacts | None:
    """The agent this ticket should go to, or None when nobody is eligible."""
    ranked = rank(ticket, agents)
    return ranked[0] if ranked else None


def queue_key(ticket: TicketFacts) -> tuple:
    return (ticket.sort_priority, ticket.due_at or _NEVER, ticket.id)


def next_ticket(agent: AgentFacts, tickets: Sequence[TicketFacts]) -> TicketFacts | None:
    """The first ticket in queue order this agent may take (``tickets`` in any order)."""
    for ticket in sorted(tickets, key=queue_key):
        if eligible(agent, ticket):
            return ticket
    return None


def unstaffed(language: str | None, agents: Iterable[AgentFacts]) -> bool:
    """True when no available agent speaks ``language`` (any language when None)."""
    return not any(a.available and (language is None or language in a.languages) for a in agents)

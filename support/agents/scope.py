"""Tenancy: the clients a person works for, applied to every list, report, event and page.

Everyone (agent, supervisor, admin) works for the clients they were given, or for every
client when ``all_clients`` is set; nobody works for any client by default. Apply it with:

* ``restrict(query, Ticket.client_id, agent)``: any query over rows that carry a client id;
* ``in_scope(agent, client_id)`` / ``scoped_client(slug)``: one row or one client (404 outside);
* ``supervisor_rooms_for(agent)``: the live rooms a connecting supervisor joins;
* ``core.live.supervisor_rooms(client_id)``: the rooms to publish something about a client to.

Things that belong to no client (sites, agents, queues for every client) are for people who
see every client, except where a page says otherwise.
"""
import sqlalchemy as sa
from flask import g

from ..audit.operations import concerns_client
from ..clients.models import Client
from ..clients.operations import get_client
from ..core.errors import Forbidden, NotFound
from ..core.extensions import db
from ..core.i18n import _
from ..core.live import SUPERVISORS, supervisors_of
from .models import Agent, agent_clients


def client_ids(agent: Agent) -> frozenset[int] | None:
    """The ids of the clients ``agent`` works for; ``None`` means every client.

    Read as ids (not as Client objects) unless the agent's clients are loaded already.
    """
    if agent.all_clients:
        return None
    if 'clients' in sa.inspect(agent).dict:
        return frozenset(c.id for c in agent.clients)
    return frozenset(db.session.scalars(sa.select(agent_clients.c.client_id)
                                        .where(agent_clients.c.agent_id == agent.id)))


def restrict(query, client_column, agent: Agent):
    """``query`` limited to rows whose ``client_column`` is one of the agent's clients."""
    ids = client_ids(agent)
    return query if ids is None else query.where(client_column.in_(sorted(ids)))


def in_scope(agent: Agent, client_id: int | None) -> bool:
    """Whether ``agent`` may see something of ``client_id`` (None: something of no client)."""
    ids = client_ids(agent)
    return ids is None or (client_id is not None and client_id in ids)


def sees_every_client(agent: Agent) -> bool:
    return client_ids(agent) is None


def require_every_client(agent: Agent) -> None:
    """For what reaches beyond clients (creating clients or accounts, queues for everyone): 403 otherwise."""
    if not sees_every_client(agent):
        raise Forbidden(_('This needs access to every client; you are restricted to some.'),
                        code='client_restricted')


def scoped_client(slug: str, agent: Agent | None = None) -> Client:
    """The client with this slug if the caller works for it, else 404 (as if it did not exist)."""
    client = get_client(slug)
    if not in_scope(agent or g.current_agent, client.id):
        raise NotFound(_('No such client.'))
    concerns_client(client.id)
    return client


def supervisor_rooms_for(agent: Agent) -> list[str]:
    """The supervisor rooms a connection of ``agent`` joins (see ``core.live.supervisor_rooms``)."""
    ids = client_ids(agent)
    return [SUPERVISORS] if ids is None else [supervisors_of(c) for c in sorted(ids)]


def client_rooms_of_agent(agent_id: int) -> list[str]:
    """Supervisor rooms interested in one agent: those of the clients the agent works for."""
    agent = db.session.get(Agent, agent_id)
    if agent is None:
        return [SUPERVISORS]
    if agent.all_clients:
        every = db.session.scalars(sa.select(Client.id)).all()
        return [SUPERVISORS] + [supervisors_of(c) for c in sorted(every)]
    return [SUPERVISORS] + [supervisors_of(c.id) for c in sorted(agent.clients, key=lambda c: c.id)]


def agents_in_scope(query, viewer: Agent):
    """Agents a restricted viewer may see: those who work for at least one of the viewer's clients."""
    ids = client_ids(viewer)
    if ids is None:
        return query
    shared = sa.select(agent_clients.c.agent_id).where(agent_clients.c.client_id.in_(sorted(ids)))
    return query.where(sa.or_(Agent.all_clients.is_(True), Agent.id.in_(shared)))

"""The ``/live`` namespace. Clients authenticate with ``auth={"token": ...}`` or the session.

Agents join ``agent:<id>``; supervisors and admins also join ``supervisors`` when they see
every client, else ``supervisors:client:<id>`` for each of their clients (``agents.scope``).
A personal API token needs the ``tickets:read`` scope.
"""
from flask import g, request, session
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room

from ..agents.auth import agent_from_token
from ..agents.models import Role
from ..agents.scope import supervisor_rooms_for
from ..agents.tokens import Scope
from ..core.errors import Unauthorized
from ..core.extensions import db, socketio
from ..core.live import NAMESPACE, agent_room, set_emitter
from . import snapshots, ticket_viewers  # noqa: F401  (ticket.view / ticket.leave handlers)


def _authenticate(auth):
    token = (auth or {}).get('token') if isinstance(auth, dict) else None
    if token:
        g.pop('token_scopes', None)
        try:
            agent = agent_from_token(token)
        except Unauthorized:
            return None
        scopes = g.pop('token_scopes', None)
        return agent if scopes is None or Scope.tickets_read.value in scopes else None
    if current_user.is_authenticated:
        return current_user._get_current_object()
    return None


@socketio.on('connect', namespace=NAMESPACE)
def on_connect(auth=None):
    agent = _authenticate(auth)
    if agent is None:
        db.session.remove()
        raise ConnectionRefusedError('unauthorized')
    join_room(agent_room(agent.id))
    session[ticket_viewers.SESSION_KEY] = [agent.id]  # this connection's own session (ticket_viewers)
    snapshots.send_agent_snapshot(request.sid, agent)
    if agent.has_role(Role.supervisor):
        for room in supervisor_rooms_for(agent):
            join_room(room)
        snapshots.send_supervisor_snapshot(request.sid, agent)
    _join_lab(agent)
    db.session.remove()


def _join_lab(agent) -> None:
    """Lab rooms (``lab:<site id>``; every site for supervisors) and the lab board snapshot."""
    from ..lab.queries import lab_rooms, lab_snapshot
    rooms = lab_rooms(agent)
    for room in rooms:
        join_room(room)
    if rooms:
        socketio.emit('lab.snapshot', lab_snapshot(agent), to=request.sid, namespace=NAMESPACE)


def emit(name: str, payload: dict, rooms) -> None:
    # One emit to the list of rooms: a socket in several of them (a supervisor in a lab room) gets it once.
    socketio.emit(name, payload, to=list(rooms), namespace=NAMESPACE)


set_emitter(emit)

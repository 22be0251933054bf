"""The ``/live`` namespace. Clients authenticate with ``auth={"token": ...}`` or the session.

Agents join ``agent:<id>``; supervisors and admins also join ``supervisors``.
"""
from flask import request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room

from ..agents.auth import agent_from_token
from ..agents.models import Role
from ..core.errors import Unauthorized
from ..core.extensions import db, socketio
from ..core.live import NAMESPACE, set_emitter
from . import snapshots

SUPERVISORS = 'supervisors'


def agent_room(agent_id: int) -> str:
    return f'agent:{agent_id}'


def _authenticate(auth):
    token = (auth or {}).get('token') if isinstance(auth, dict) else None
    if token:
        try:
            return agent_from_token(token)
        except Unauthorized:
            return None
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
    snapshots.send_agent_snapshot(request.sid, agent)
    if agent.has_role(Role.supervisor):
        join_room(SUPERVISORS)
        snapshots.send_supervisor_snapshot(request.sid)
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

"""``publish()``: the one way domain code sends live events.

Events are queued on the database session and emitted only after it commits (and
dropped on rollback), so nobody sees a change that did not happen. With
``SUPPORT_REDIS_URL`` set, Flask-SocketIO relays them to every process.
"""
from sqlalchemy.orm import Session

from .transactions import after_commit

NAMESPACE = '/live'
# Supervisors and admins who see every client; those restricted to some clients join
# ``supervisors_of(client_id)`` for each of theirs instead (see ``supervisor_rooms``).
SUPERVISORS = 'supervisors'

_emitter = None


def agent_room(agent_id: int) -> str:
    """The room of one person's connections."""
    return f'agent:{agent_id}'


def supervisors_of(client_id: int) -> str:
    """The room of the supervisors restricted to clients who include ``client_id``."""
    return f'supervisors:client:{client_id}'


def supervisor_rooms(*client_ids) -> list[str]:
    """Every supervisor who may see something about these clients (none given: only those who see all).

    Publish anything about a ticket to ``supervisor_rooms(ticket.client_id)``, never to
    ``SUPERVISORS`` alone, so supervisors restricted to that client get it and others do not.
    """
    return [SUPERVISORS] + [supervisors_of(c) for c in sorted(set(client_ids)) if c is not None]


def set_emitter(emitter) -> None:
    """Install the function that really emits ``(event, payload, room)``; ``live`` does it."""
    global _emitter
    _emitter = emitter


def publish(session: Session, name: str, payload: dict, rooms) -> None:
    """Emit ``name`` with ``payload`` to ``rooms`` once ``session`` commits (never if it rolls back)."""
    rooms = [rooms] if isinstance(rooms, str) else list(rooms)
    after_commit(session, _emit, name, payload, rooms)


def _emit(name: str, payload: dict, rooms: list) -> None:
    if _emitter is not None:
        _emitter(name, payload, rooms)

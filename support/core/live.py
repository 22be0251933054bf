"""``publish()``: the one way domain code sends live events.

Events are queued on the database session and emitted only after it commits (and
dropped on rollback), so nobody sees a change that did not happen. With
``SUPPORT_REDIS_URL`` set, Flask-SocketIO relays them to every process.
"""
from sqlalchemy.orm import Session

from .transactions import after_commit

NAMESPACE = '/live'

_emitter = None


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

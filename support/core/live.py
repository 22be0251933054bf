"""``publish()``: the one way domain code sends live events.

Events are queued on the database session and emitted only after it commits (and
dropped on rollback), so nobody sees a change that did not happen. With
``SUPPORT_REDIS_URL`` set, Flask-SocketIO relays them to every process.
"""
import logging

from sqlalchemy import event
from sqlalchemy.orm import Session

NAMESPACE = '/live'
log = logging.getLogger(__name__)

_emitter = None


def set_emitter(emitter) -> None:
    """Install the function that really emits ``(event, payload, room)``; ``live`` does it."""
    global _emitter
    _emitter = emitter


def publish(session: Session, name: str, payload: dict, rooms) -> None:
    """Emit ``name`` with ``payload`` to ``rooms`` once ``session`` commits."""
    rooms = [rooms] if isinstance(rooms, str) else list(rooms)
    session.info.setdefault('pending_events', []).append((name, payload, rooms))


@event.listens_for(Session, 'after_commit')
def _emit_pending(session: Session) -> None:
    pending = session.info.pop('pending_events', None)
    if not pending or _emitter is None:
        return
    for name, payload, rooms in pending:
        try:
            _emitter(name, payload, rooms)
        except Exception:  # a live event must never undo a committed change
            log.exception('could not emit %s', name)


@event.listens_for(Session, 'after_rollback')
def _drop_pending(session: Session) -> None:
    session.info.pop('pending_events', None)

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
    real = session() if callable(session) else session  # db.session is a scoped_session: call it for the Session
    savepoint = real.get_nested_transaction()
    session.info.setdefault('pending_events', []).append((name, payload, rooms, savepoint))


@event.listens_for(Session, 'after_commit')
def _emit_pending(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT was released; the real commit is still to come
    pending = session.info.pop('pending_events', None)
    if not pending or _emitter is None:
        return
    for name, payload, rooms, _savepoint in pending:
        try:
            _emitter(name, payload, rooms)
        except Exception:  # a live event must never undo a committed change
            log.exception('could not emit %s', name)


@event.listens_for(Session, 'after_soft_rollback')
def _drop_pending(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop('pending_events', None)
        return
    # Only a SAVEPOINT rolled back: drop what was published inside it, keep the rest.
    pending = session.info.get('pending_events', [])
    pending[:] = [entry for entry in pending if not _within(entry[3], previous_transaction)]


def _within(savepoint, rolled_back) -> bool:
    while savepoint is not None:
        if savepoint is rolled_back:
            return True
        savepoint = savepoint.parent
    return False

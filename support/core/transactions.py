"""Work that must wait until the database transaction commits, and vanish if it rolls back.

Live events, job enqueues and routing steps all go through :func:`after_commit`.
SQLAlchemy fires ``after_commit`` when a SAVEPOINT is released too; here only the
outermost commit runs the callbacks, and a rolled-back SAVEPOINT drops just the
callbacks registered inside it.
"""
import logging
import threading

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
_KEY = 'after_commit_callbacks'


def each_in_own_transaction(ids, step, what: str) -> int:
    """``step(id)`` for each id, each committed in its own transaction (a sweep's items): one that fails is
    rolled back and logged, and the others go on. Returns the sum of what the steps returned."""
    from .extensions import db
    done = 0
    for item in ids:
        try:
            done += step(item)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception('%s %s failed; the next sweep tries again', what, item)
    return done


def after_commit(session, callback, *args) -> None:
    """Call ``callback(*args)`` once ``session``'s outermost transaction commits."""
    real = session() if callable(session) else session  # db.session is a scoped_session: call it
    real.info.setdefault(_KEY, []).append((callback, args, real.get_nested_transaction()))


_running = threading.local()


def in_after_commit() -> bool:
    """True while after-commit callbacks run: the session that committed cannot be used now."""
    return getattr(_running, 'depth', 0) > 0


@event.listens_for(Session, 'after_commit')
def _run(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT was released; the real commit is still to come
    _running.depth = getattr(_running, 'depth', 0) + 1
    try:
        for callback, args, _savepoint in session.info.pop(_KEY, None) or []:
            try:
                callback(*args)
            except Exception:  # what follows a commit must never undo it; sweeps catch up
                log.exception('after-commit callback %s failed', getattr(callback, '__name__', callback))
    finally:
        _running.depth -= 1


@event.listens_for(Session, 'after_soft_rollback')
def _drop(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(_KEY, None)
        return
    pending = session.info.get(_KEY, [])
    pending[:] = [entry for entry in pending if not _within(entry[2], previous_transaction)]


def _within(savepoint, rolled_back) -> bool:
    while savepoint is not None:
        if savepoint is rolled_back:
            return True
        savepoint = savepoint.parent
    return False

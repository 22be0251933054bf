"""Rows that must be sent somewhere: claimed under a lease, retried with backoff.

A row is *due* when its status is ``pending`` and ``next_attempt_at <= now``. A
worker claims due rows with ``FOR UPDATE SKIP LOCKED`` and, in the same short
transaction, moves ``next_attempt_at`` one lease ahead and counts the attempt; so no
other worker picks them while it sends, and if the worker dies the row is simply
due again when the lease ends. Nothing is held locked during the network call.

Jobs that must only run once a transaction is committed (send this row now) are
queued with ``core.transactions.after_commit``; a lost job loses nothing, the
periodic sweep finds the row anyway.
"""
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

LEASE = timedelta(minutes=5)
PENDING = 'pending'


def backoff(attempt: int, base: timedelta, cap: timedelta) -> timedelta:
    """Exponential delay after the ``attempt``-th failure: base, 2·base, 4·base ... capped."""
    return min(base * (2 ** max(attempt - 1, 0)), cap)


def claim_due(session: Session, model, now: datetime, limit: int, ids=None) -> list[tuple[int, int]]:
    """Lease up to ``limit`` due rows of ``model`` and commit; ``[(id, attempt number)]``."""
    query = (sa.select(model).where(model.status == PENDING, model.next_attempt_at <= now)
             .order_by(model.next_attempt_at, model.id).limit(limit)
             .with_for_update(skip_locked=True))
    if ids is not None:
        query = query.where(model.id.in_(list(ids)))
    rows = session.scalars(query).all()
    claimed = []
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + LEASE
        claimed.append((row.id, row.attempts))
    session.commit()
    return claimed


def load_claimed(session: Session, model, row_id: int, attempt: int):
    """The row locked for recording an attempt's outcome, or None if another worker re-claimed it."""
    row = session.scalar(sa.select(model).where(model.id == row_id).with_for_update()
                         .execution_options(populate_existing=True))
    if row is None or row.attempts != attempt or row.status != PENDING:
        return None
    return row

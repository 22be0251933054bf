"""Idempotency keys: a retry with the same key returns the first result and creates nothing.

The unique index on ``(scope, key)`` is the guard: when two requests race, the
database makes the second insert wait for the first transaction and then fail, and
the loser reads the winner's result.
"""
import hashlib
import json
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from .clock import utcnow
from .db import Base, BigId, big_pk
from .errors import Conflict
from .i18n import _


class IdempotencyKey(Base):
    __tablename__ = 'idempotency_keys'
    __table_args__ = (sa.UniqueConstraint('scope', 'key'),)

    id: Mapped[int] = big_pk()
    scope: Mapped[str] = mapped_column(sa.String(64))
    key: Mapped[str] = mapped_column(sa.String(255))
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    resource_id: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def request_fingerprint(data) -> str:
    """A hash of the parsed request, insensitive to key order and whitespace."""
    canonical = json.dumps(data, sort_keys=True, separators=(',', ':'), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def claim(session: Session, scope: str, key: str, fingerprint: str) -> IdempotencyKey | None:
    """Claim ``key`` in the current transaction, or return the earlier claim.

    Returns the new row (the caller then does the work and sets ``resource_id``),
    or ``None`` after rolling back when another request already holds the key; the
    caller then calls :func:`earlier_result`.
    """
    row = IdempotencyKey(scope=scope, key=key, request_hash=fingerprint)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return None
    return row


def earlier_result(session: Session, scope: str, key: str, fingerprint: str) -> int:
    """The resource id recorded for ``key``; 409 when the body differs from the first one."""
    row = session.scalar(sa.select(IdempotencyKey).filter_by(scope=scope, key=key))
    if row is None or row.resource_id is None:
        raise Conflict(_('A request with this Idempotency-Key is still being processed; retry shortly.'),
                       code='idempotency_in_progress')
    if row.request_hash != fingerprint:
        raise Conflict(_('This Idempotency-Key was already used with a different request body.'),
                       code='idempotency_mismatch')
    return row.resource_id

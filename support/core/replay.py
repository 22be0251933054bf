"""Signed requests are taken once: a signature seen again within its validity window is a replay.

``first_time(digest, until, note)`` remembers ``digest`` (with a short ``note``) until ``until``:
``None`` when it was new, else the note stored by the first one.
With ``SUPPORT_REDIS_URL`` (or ``SUPPORT_REPLAY_REDIS_URL``) the marks live in Redis
(``SET NX`` with an expiry, shared by every process: a signature is spent even if the request
then fails). Otherwise they live in the ``replay_marks`` table, written in the request's own
transaction: the mark commits with whatever the request changes (no extra commit per
request; a request that fails leaves no mark and changed nothing), the primary key makes a
copy racing in wait for the first and then see its mark, and ``forget_expired`` sweeps old rows.
"""
import functools
import math
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from .clock import utcnow
from .config import redis_prefix, setting
from .db import Base
from .extensions import db

REDIS_PREFIX = 'support:replay:'


class ReplayMark(Base):
    __tablename__ = 'replay_marks'

    digest: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    note: Mapped[str] = mapped_column(sa.String(255), default='')
    expires_at: Mapped[datetime] = mapped_column(index=True)


def _redis_url() -> str | None:
    return setting('SUPPORT_REPLAY_REDIS_URL') or setting('SUPPORT_REDIS_URL')


@functools.lru_cache(maxsize=4)
def _redis(url: str):
    import redis
    return redis.Redis.from_url(url)


def first_time(digest: str, until: datetime, note: str = '') -> str | None:
    """Record ``digest`` until ``until``: None when new, else the ``note`` of the first (a replay)."""
    url = _redis_url()
    if url:
        seconds = max(1, math.ceil((until - utcnow()).total_seconds()))
        client, key = _redis(url), redis_prefix() + REDIS_PREFIX + digest
        if client.set(key, note, nx=True, ex=seconds):
            return None
        return (client.get(key) or b'').decode()
    return _first_time_in_database(digest, until, note[:255])


def _first_time_in_database(digest: str, until: datetime, note: str) -> str | None:
    """Insert the mark in the current transaction (it commits with the request's changes)."""
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql_insert if dialect == 'postgresql' else sqlite_insert)(ReplayMark)
    statement = (insert.values(digest=digest, note=note, expires_at=until).on_conflict_do_nothing()
                 .returning(ReplayMark.digest))
    if db.session.execute(statement).first() is not None:
        return None
    return _earlier_note(digest, until, note)


def _earlier_note(digest: str, until: datetime, note: str) -> str | None:
    """The note of the mark already there; None (and the mark renewed) when it had expired."""
    renewed = db.session.execute(sa.update(ReplayMark).where(
        ReplayMark.digest == digest, ReplayMark.expires_at <= utcnow()).values(expires_at=until, note=note))
    if renewed.rowcount:
        return None
    return db.session.scalar(sa.select(ReplayMark.note).where(ReplayMark.digest == digest)) or ''


def forget_expired() -> int:
    result = db.session.execute(sa.delete(ReplayMark).where(ReplayMark.expires_at <= utcnow()))
    return result.rowcount or 0

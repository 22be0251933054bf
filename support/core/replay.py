"""Signed requests are taken once: a signature seen again within its validity window is a replay.

``first_time(digest, until)`` remembers ``digest`` until ``until`` and says whether it was new.
With ``SUPPORT_REDIS_URL`` (or ``SUPPORT_REPLAY_REDIS_URL``) the marks live in Redis
(``SET NX`` with an expiry, shared by every process); otherwise in the ``replay_marks`` table,
where a primary key decides between two copies racing in and ``forget_expired`` sweeps old rows.
"""
import functools
import math
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from .clock import utcnow
from .config import setting
from .db import Base
from .extensions import db

REDIS_PREFIX = 'support:replay:'


class ReplayMark(Base):
    __tablename__ = 'replay_marks'

    digest: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)


def _redis_url() -> str | None:
    return setting('SUPPORT_REPLAY_REDIS_URL') or setting('SUPPORT_REDIS_URL')


@functools.lru_cache(maxsize=4)
def _redis(url: str):
    import redis
    return redis.Redis.from_url(url)


def first_time(digest: str, until: datetime) -> bool:
    """Record ``digest`` until ``until``; False when it was already recorded (a replay)."""
    url = _redis_url()
    if url:
        seconds = max(1, math.ceil((until - utcnow()).total_seconds()))
        return bool(_redis(url).set(REDIS_PREFIX + digest, 1, nx=True, ex=seconds))
    return _first_time_in_database(digest, until)


def _first_time_in_database(digest: str, until: datetime) -> bool:
    """Insert the mark and commit at once: the request may fail later, the signature stays spent."""
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql_insert if dialect == 'postgresql' else sqlite_insert)(ReplayMark)
    statement = insert.values(digest=digest, expires_at=until).on_conflict_do_nothing().returning(ReplayMark.digest)
    new = db.session.execute(statement).first() is not None
    if not new:  # an expired mark of the same digest counts as gone
        new = bool(db.session.execute(sa.update(ReplayMark).where(
            ReplayMark.digest == digest, ReplayMark.expires_at <= utcnow()).values(expires_at=until)).rowcount)
    db.session.commit()
    return new


def forget_expired() -> int:
    result = db.session.execute(sa.delete(ReplayMark).where(ReplayMark.expires_at <= utcnow()))
    return result.rowcount or 0

"""Password guessing: per-account and per-IP counters with exponential backoff and a lockout.

Every password route (``/auth/token``, ``/auth/login``, the login form) goes through
``agents.auth.authenticate``, which asks ``check`` first and reports ``failed``/``succeeded``.
Counters are rows (shared by every process, locked while changed) keyed by the e-mail as
typed (lower-cased) and by the client's address; an unknown e-mail is counted exactly
like a known one, so the answers never tell which accounts exist.

After ``free`` failures in a row each further failure makes the key wait ``base · 2^n``
seconds (capped); after ``lockout_after`` failures it is locked for ``lockout`` seconds,
until it expires or an admin lifts it. A success clears the account's counter (not the
address's: one valid account must not let an address guess others). Failures older than
``window`` are forgotten.
"""
import enum
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import utcnow
from ..core.config import setting
from ..core.db import Base, enum_type
from ..core.errors import ApiError
from ..core.extensions import db
from ..core.i18n import _


class KeyKind(str, enum.Enum):
    account = 'account'
    ip = 'ip'


@dataclass(frozen=True)
class Policy:
    free: int
    base_seconds: int
    cap_seconds: int
    lockout_after: int
    lockout_seconds: int
    window_seconds: int


DEFAULTS = {
    KeyKind.account: Policy(free=3, base_seconds=2, cap_seconds=300, lockout_after=10, lockout_seconds=900,
                            window_seconds=3600),
    KeyKind.ip: Policy(free=20, base_seconds=2, cap_seconds=300, lockout_after=100, lockout_seconds=900,
                       window_seconds=3600),
}


def policy(kind: KeyKind) -> Policy:
    """The defaults above, each overridable (``SUPPORT_LOGIN_ACCOUNT_FREE``, ``SUPPORT_LOGIN_IP_WINDOW``...)."""
    base = DEFAULTS[kind]
    names = {'free': 'FREE', 'base_seconds': 'BACKOFF_BASE', 'cap_seconds': 'BACKOFF_CAP',
             'lockout_after': 'LOCKOUT_AFTER', 'lockout_seconds': 'LOCKOUT_SECONDS', 'window_seconds': 'WINDOW'}
    return Policy(**{attr: setting(f'SUPPORT_LOGIN_{kind.name.upper()}_{name}', getattr(base, attr))
                     for attr, name in names.items()})


class LoginThrottle(Base):
    __tablename__ = 'login_throttles'

    kind: Mapped[KeyKind] = mapped_column(enum_type(KeyKind, 8), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(254), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]


class TooManyAttempts(ApiError):
    status, code = 429, 'too_many_attempts'

    def __init__(self, seconds: int):
        seconds = max(1, seconds)
        super().__init__(_('Too many failed sign-ins; try again in {seconds} seconds.').format(seconds=seconds),
                         headers={'Retry-After': str(seconds)})


def keys(email: str, ip: str | None) -> list[tuple[KeyKind, str]]:
    return [(KeyKind.account, email.strip().lower()[:254]), (KeyKind.ip, (ip or '-')[:254])]


def check(email: str, ip: str | None) -> None:
    """429 with ``Retry-After`` while the account or the address has to wait."""
    now = utcnow()
    rows = db.session.scalars(sa.select(LoginThrottle).where(
        sa.tuple_(LoginThrottle.kind, LoginThrottle.key).in_(keys(email, ip)),
        LoginThrottle.locked_until > now)).all()
    if rows:
        raise TooManyAttempts(math.ceil(max((r.locked_until - now).total_seconds() for r in rows)))


def failed(email: str, ip: str | None) -> None:
    """Count one failure for the account and the address (in the caller's transaction)."""
    now = utcnow()
    for kind, key in keys(email, ip):
        row = _locked_row(kind, key)
        rules = policy(kind)
        if row.last_failure_at is None or now - row.last_failure_at > timedelta(seconds=rules.window_seconds):
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        wait = wait_after(row.failures, rules)
        row.locked_until = now + timedelta(seconds=wait) if wait else None


def wait_after(failures: int, rules: Policy) -> int:
    """Seconds to wait after the ``failures``-th failure in a row."""
    if failures >= rules.lockout_after:
        return rules.lockout_seconds
    if failures <= rules.free:
        return 0
    return min(rules.base_seconds * 2 ** (failures - rules.free - 1), rules.cap_seconds)


def succeeded(email: str) -> None:
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.kind == KeyKind.account,
                                                      LoginThrottle.key == email.strip().lower()))


def lift(kind: KeyKind, key: str) -> bool:
    """An admin ends a lockout (and its count) now; whether there was one."""
    result = db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.kind == kind,
                                                               LoginThrottle.key == key.strip().lower()))
    return bool(result.rowcount)


def current_lockouts() -> list[LoginThrottle]:
    return list(db.session.scalars(sa.select(LoginThrottle).where(LoginThrottle.locked_until > utcnow())
                                   .order_by(LoginThrottle.locked_until.desc())))


def _locked_row(kind: KeyKind, key: str) -> LoginThrottle:
    """The counter row, created if missing, locked until commit (two processes count correctly)."""
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql_insert if dialect == 'postgresql' else sqlite_insert)(LoginThrottle)
    db.session.execute(insert.values(kind=kind, key=key, failures=0).on_conflict_do_nothing())
    return db.session.scalar(sa.select(LoginThrottle).where(LoginThrottle.kind == kind, LoginThrottle.key == key)
                             .with_for_update().execution_options(populate_existing=True))

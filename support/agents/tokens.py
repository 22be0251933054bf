"""Personal API tokens: scoped, expiring, listable and revocable; the role still caps what they do.

A token is ``spt_`` + 43 random characters, shown once; the database keeps its SHA-256. A
request with one may call a route only when the token carries the route's scope *and*
the person's current role grants it (a supervisor demoted to agent loses ``reports`` on
every token at once). Routes about one's own login (tokens, two-factor) are never open to
personal tokens: a stolen token cannot mint a wider one.
"""
import enum
import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base
from ..core.errors import NotFound, ValidationFailed
from ..core.extensions import db
from ..core.i18n import _, _l
from .models import Agent, Role

PREFIX = 'spt_'
MAX_DAYS = 366
MAX_TOKENS = 50


class Scope(str, enum.Enum):
    tickets_read = 'tickets:read'
    tickets_write = 'tickets:write'
    lab = 'lab'
    reports = 'reports'
    admin = 'admin'

    @property
    def label(self):
        return SCOPE_LABELS[self]


SCOPE_LABELS = {Scope.tickets_read: _l('Read tickets'), Scope.tickets_write: _l('Work tickets'),
                Scope.lab: _l('Hardware lab'), Scope.reports: _l('Reports and audit log'),
                Scope.admin: _l('Administration')}
ROLE_SCOPES = {
    Role.agent: frozenset({Scope.tickets_read, Scope.tickets_write, Scope.lab}),
    Role.supervisor: frozenset({Scope.tickets_read, Scope.tickets_write, Scope.lab, Scope.reports}),
    Role.admin: frozenset(Scope),
}
# Route "scopes" that are not grantable: ACCOUNT (one's own login: tokens, two-factor,
# logout) refuses personal tokens; ANY accepts every valid token (who am I).
ACCOUNT = 'account'
ANY = 'any'


def default_scope(role: Role, method: str) -> str:
    """The scope a route needs when it declares none: admin routes need ``admin``, others read or write."""
    if role == Role.admin:
        return Scope.admin.value
    return Scope.tickets_read.value if method in ('GET', 'HEAD', 'OPTIONS') else Scope.tickets_write.value


class ApiToken(Base):
    __tablename__ = 'api_tokens'

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(sa.ForeignKey('agents.id', ondelete='CASCADE'), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The first characters, to tell tokens apart in lists (not enough to use one).
    hint: Mapped[str] = mapped_column(sa.String(16))
    scopes: Mapped[list[str]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    agent: Mapped[Agent] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.expires_at > utcnow()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_personal_token(token: str) -> bool:
    return token.startswith(PREFIX)


def create_token(agent: Agent, name: str, scopes: list[str], expires_in_days: int) -> tuple[ApiToken, str]:
    """A new token for ``agent`` (not committed); the token itself is returned only now."""
    scopes = sorted(set(scopes), key=[s.value for s in Scope].index)
    beyond = [s for s in scopes if Scope(s) not in ROLE_SCOPES[agent.role]]
    if beyond:
        raise ValidationFailed(fields={'scopes': [_('Your role does not grant the scope {scope}.').format(scope=s)
                                                  for s in beyond]})
    count = db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken).where(
        ApiToken.agent_id == agent.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > utcnow()))
    if count >= MAX_TOKENS:
        raise ValidationFailed(_('You have {count} active tokens; revoke some first.').format(count=count))
    token = PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    row = ApiToken(agent_id=agent.id, name=name, token_hash=_digest(token), hint=token[:10], scopes=scopes,
                   created_at=now, expires_at=now + timedelta(days=expires_in_days))
    db.session.add(row)
    db.session.flush()
    return row, token


def agent_from_personal_token(token: str) -> tuple[Agent, frozenset[str]] | None:
    """The owner and the scopes the token may use now (capped by the current role), or None."""
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or not row.active or not row.agent.active:
        return None
    _note_use(row)
    granted = {s.value for s in ROLE_SCOPES[row.agent.role]}
    return row.agent, frozenset(s for s in row.scopes if s in granted)


def _note_use(row: ApiToken) -> None:
    """Remember when a token was last used, at most once a minute (no write on every request)."""
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
        db.session.execute(sa.update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now)
                           .execution_options(synchronize_session=False))
        db.session.commit()


def tokens_of(agent_id: int) -> list[ApiToken]:
    return list(db.session.scalars(sa.select(ApiToken).where(ApiToken.agent_id == agent_id)
                                   .order_by(ApiToken.id.desc())))


def get_token(agent_id: int, token_id: int) -> ApiToken:
    row = db.session.get(ApiToken, token_id)
    if row is None or row.agent_id != agent_id:
        raise NotFound(_('No such token.'))
    return row


def revoke(row: ApiToken) -> ApiToken:
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return row

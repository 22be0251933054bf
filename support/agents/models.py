import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.crypto import Encrypted
from ..core.db import Base
from ..core.i18n import _l
from ..sites.models import Site


class Role(str, enum.Enum):
    agent = 'agent'
    supervisor = 'supervisor'
    admin = 'admin'

    @property
    def rank(self) -> int:
        return ROLE_RANK[self]

    @property
    def label(self):
        return ROLE_LABELS[self]


ROLE_RANK = {Role.agent: 1, Role.supervisor: 2, Role.admin: 3}
ROLE_LABELS = {Role.agent: _l('Agent'), Role.supervisor: _l('Supervisor'), Role.admin: _l('Administrator')}

agent_clients = sa.Table(
    'agent_clients', Base.metadata,
    sa.Column('agent_id', sa.ForeignKey('agents.id', ondelete='CASCADE'), primary_key=True),
    sa.Column('client_id', sa.ForeignKey('clients.id', ondelete='CASCADE'), primary_key=True),
)


class Agent(UserMixin, Base):
    """A person who logs in: an agent, a supervisor or an admin."""

    __tablename__ = 'agents'
    __table_args__ = (sa.Index('uq_agents_sso_subject', 'sso_subject', unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[Role] = mapped_column(sa.Enum(Role, native_enum=False, length=16), default=Role.agent)
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=lambda: ['en'])
    locale: Mapped[str | None] = mapped_column(sa.String(2))
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey('sites.id'), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Tenancy: the clients in ``clients``, or every client when this is set (never by default).
    all_clients: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Bumped to revoke every bearer token issued before.
    token_version: Mapped[int] = mapped_column(default=1)
    # Two-factor sign-in (agents.twofactor): the TOTP secret (encrypted), set up first and
    # enabled once a code proved the authenticator has it; the last time step used, so a
    # code works once.
    totp_secret: Mapped[str | None] = mapped_column(Encrypted())
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    # Single sign-on (agents.sso): the identity provider's subject, pinned at the first sign-in.
    sso_subject: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    site: Mapped[Site | None] = relationship()
    clients: Mapped[list['Client']] = relationship(secondary=agent_clients)  # noqa: F821

    def has_role(self, role: Role) -> bool:
        return self.role.rank >= role.rank

    def serves_client(self, client_id: int) -> bool:
        """Whether this person works for ``client_id`` (every role: see ``agents.scope``)."""
        return self.all_clients or any(c.id == client_id for c in self.clients)

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f'{self.id}:{self.token_version}'

    def __repr__(self):
        return f'<Agent {self.email}>'


from ..clients.models import Client  # noqa: E402,F401  (resolves the relationship above)

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.crypto import Encrypted
from ..core.db import Base


class Client(Base):
    """A company we answer for; owns its keys and its tickets."""

    __tablename__ = 'clients'

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    default_language: Mapped[str] = mapped_column(sa.String(2), default='en')
    # A Flask-Limiter expression such as "600/minute"; empty uses SUPPORT_INTAKE_RATE_LIMIT.
    intake_rate_limit: Mapped[str | None] = mapped_column(sa.String(64))
    # Where operational notices go when no callback endpoint can take them (an endpoint disabled...).
    notify_email: Mapped[str | None] = mapped_column(sa.String(254))
    active: Mapped[bool] = mapped_column(default=True)
    # The zone of its contract and reports (a US client's Monday is its Monday).
    timezone: Mapped[str] = mapped_column(sa.String(64), default='America/Mexico_City',
                                          server_default='America/Mexico_City')
    # Its catalogue: product lines and tags that SLA conditions (and agents) may name.
    products: Mapped[list[str]] = mapped_column(sa.JSON, default=list, server_default='[]')
    tags: Mapped[list[str]] = mapped_column(sa.JSON, default=list, server_default='[]')
    # Wrap-up after a resolve or hand-off: the longest an agent keeps the capacity (0 = none),
    # and whether a ticket needs a disposition code before it can be resolved.
    wrapup_seconds: Mapped[int] = mapped_column(default=60, server_default='60')
    disposition_required: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Satisfaction survey after a resolve (support/csat): whether to ask, and how long after.
    csat_enabled: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    csat_delay_minutes: Mapped[int] = mapped_column(default=60, server_default='60')
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    keys: Mapped[list['ClientKey']] = relationship(back_populates='client', order_by='ClientKey.id')

    def __repr__(self):
        return f'<Client {self.slug}>'


class ClientKey(Base):
    """An HMAC key a client signs requests with; two may be active while rotating."""

    __tablename__ = 'client_keys'

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey('clients.id', ondelete='CASCADE'), index=True)
    key_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The HMAC check needs the secret itself: stored encrypted, never returned after creation.
    secret: Mapped[str] = mapped_column(Encrypted())
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    client: Mapped[Client] = relationship(back_populates='keys')

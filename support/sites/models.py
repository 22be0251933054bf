from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base


class Site(Base):
    __tablename__ = 'sites'

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    timezone: Mapped[str] = mapped_column(sa.String(64), default='America/Mexico_City')
    # The site's business hours (optional): a calendar of the center's.
    calendar_id: Mapped[int | None] = mapped_column(sa.ForeignKey('calendars.id'))
    calendar = relationship('Calendar', lazy='joined')
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self):
        return f'<Site {self.name}>'

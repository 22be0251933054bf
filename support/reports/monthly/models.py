"""Stored report files: one row per client, kind and month, its PDF bytes in the database.

The bytes live in the row (``bytea`` / BLOB, loaded only when asked for) rather than under the
instance path: every web process and worker host reads the same copy, a database backup holds
the reports too, and a month's PDF is tens of kilobytes.
"""
import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ...clients.models import Client
from ...core.clock import utcnow
from ...core.db import Base, enum_type


class ReportKind(str, enum.Enum):
    monthly = 'monthly'  # a client's local calendar month


class ReportStatus(str, enum.Enum):
    pending = 'pending'  # waiting for (or being rendered by) its job
    ready = 'ready'      # rendered; the PDF can be downloaded
    failed = 'failed'    # rendering failed; the hourly job tries again (``MAX_ATTEMPTS``)


class ReportFile(Base):
    """One rendered report of one client for one period; at most one per client, kind and period."""

    __tablename__ = 'report_files'
    __table_args__ = (
        sa.UniqueConstraint('client_id', 'kind', 'period_start'),
        sa.CheckConstraint('period_end > period_start', name='period'),
        sa.CheckConstraint("language IN ('en', 'es')", name='language'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey('clients.id', ondelete='CASCADE'))
    kind: Mapped[ReportKind] = mapped_column(enum_type(ReportKind), default=ReportKind.monthly)
    # Local dates in ``timezone``: the first day of the period and the first day after it.
    period_start: Mapped[date]
    period_end: Mapped[date]
    timezone: Mapped[str] = mapped_column(sa.String(64))
    language: Mapped[str] = mapped_column(sa.String(2))
    status: Mapped[ReportStatus] = mapped_column(enum_type(ReportStatus), default=ReportStatus.pending)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(sa.String(500))
    content: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    size: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    # The headline figures as printed, so lists and callbacks need not open the PDF.
    figures: Mapped[dict | None] = mapped_column(sa.JSON)
    # Who asked for it; NULL when the monthly job made it.
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey('agents.id', ondelete='SET NULL'))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    generated_at: Mapped[datetime | None]

    client: Mapped[Client] = relationship()

    @property
    def month(self) -> str:
        return f'{self.period_start.year:04d}-{self.period_start.month:02d}'

    @property
    def filename(self) -> str:
        return f'{self.client.slug}-{self.month}.pdf'

"""Disposition codes: what a contact was about or how it ended, per client, in a two-level tree.

A top-level code (``parent_id`` NULL) groups second-level ones ("billing" → "refund");
a ticket gets one code, usually a leaf. Labels are stored in English and Spanish, like
custom away reasons. A code is unique within its client.
"""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import utcnow
from ..core.db import Base


class Disposition(Base):
    __tablename__ = 'dispositions'
    __table_args__ = (
        sa.UniqueConstraint('client_id', 'code'),
        sa.CheckConstraint('parent_id IS NULL OR parent_id <> id', name='not_own_parent'),
        sa.CheckConstraint('position >= 0', name='position_not_negative'),
        sa.Index('ix_dispositions_parent_id', 'parent_id'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey('clients.id', ondelete='CASCADE'))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey('dispositions.id', ondelete='CASCADE'))
    code: Mapped[str] = mapped_column(sa.String(40))
    label_en: Mapped[str] = mapped_column(sa.String(80))
    label_es: Mapped[str] = mapped_column(sa.String(80))
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def label(self, language: str) -> str:
        return self.label_es if language == 'es' else self.label_en

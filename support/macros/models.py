"""A macro: a title, a text per language (templates), whether it writes a reply or a note, and actions."""
import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clients.models import Client
from ..core.clock import utcnow
from ..core.db import Base, enum_type
from ..routing.models import Queue
from ..tickets.models import Priority
from ..tickets.states import Status


class MacroKind(str, enum.Enum):
    reply = 'reply'   # the text goes to the customer
    note = 'note'     # the text is an internal note


class Macro(Base):
    __tablename__ = 'macros'
    __table_args__ = (
        sa.UniqueConstraint('client_id', 'title'),
        # NULLs are distinct in a unique constraint: the titles of macros for every client get their own index.
        sa.Index('uq_macros_global_title', 'title', unique=True,
                 postgresql_where=sa.text('client_id IS NULL'), sqlite_where=sa.text('client_id IS NULL')),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int | None] = mapped_column(sa.ForeignKey('clients.id', ondelete='CASCADE'), index=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    body_en: Mapped[str] = mapped_column(sa.Text, default='')
    body_es: Mapped[str] = mapped_column(sa.Text, default='')
    kind: Mapped[MacroKind] = mapped_column(enum_type(MacroKind), default=MacroKind.reply)
    # Actions, each optional: applied with the text, in the same transaction.
    set_status: Mapped[Status | None] = mapped_column(enum_type(Status))
    set_priority: Mapped[Priority | None] = mapped_column(enum_type(Priority))
    add_tags: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    remove_tags: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    queue_id: Mapped[int | None] = mapped_column(sa.ForeignKey('queues.id', ondelete='SET NULL'))
    # Custom field values to set ({name: value}, support/tickets/fields.py) of the macro's client.
    set_fields: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey('agents.id', ondelete='SET NULL'))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    client: Mapped[Client | None] = relationship()
    queue: Mapped[Queue | None] = relationship()

    def body(self, language: str) -> str:
        return self.body_es if language == 'es' else self.body_en

    def text_for(self, language: str) -> tuple[str, str]:
        """``(language, template)``: the text in ``language``, else the other one when only that exists."""
        if self.body(language) or not (self.body_en or self.body_es):
            return language, self.body(language)
        other = 'en' if language == 'es' else 'es'
        return other, self.body(other)

    @property
    def actions(self) -> dict:
        """The actions as the API shows them."""
        return {'status': self.set_status.value if self.set_status else None,
                'priority': self.set_priority.value if self.set_priority else None,
                'add_tags': list(self.add_tags or []), 'remove_tags': list(self.remove_tags or []),
                'queue_id': self.queue_id, 'queue': self.queue.display_name() if self.queue else None,
                'fields': dict(self.set_fields or {})}

    @property
    def has_actions(self) -> bool:
        return bool(self.set_status or self.set_priority or self.add_tags or self.remove_tags
                    or self.queue_id or self.set_fields)

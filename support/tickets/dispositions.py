"""Disposition codes: what a contact was about or how it ended, per client, in a two-level tree.

A top-level code (``parent_id`` NULL) groups second-level ones ("billing" → "refund");
a ticket gets one code, usually a leaf. Labels are stored in English and Spanish, like
custom away reasons. A code is unique within its client.
"""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import utcnow
from ..core.db import Base
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.extensions import db
from ..core.i18n import _
from .models import Ticket


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


# --- operations ----------------------------------------------------------------------------

def dispositions_of(client_id: int, include_inactive: bool = False) -> list[Disposition]:
    """The client's codes, top level first, each level in its order."""
    query = sa.select(Disposition).where(Disposition.client_id == client_id)
    if not include_inactive:
        query = query.where(Disposition.active.is_(True))
    return list(db.session.scalars(query.order_by(Disposition.parent_id.is_not(None), Disposition.position,
                                                  Disposition.code)))


def tree(rows: list[Disposition], language: str) -> list[dict]:
    """``rows`` as a two-level tree of plain dicts, labels in ``language``."""
    nodes = {row.id: _node(row, language) for row in rows}
    top = []
    for row in rows:
        parent = nodes.get(row.parent_id) if row.parent_id else None
        if row.parent_id is None:
            top.append(nodes[row.id])
        elif parent is not None:
            parent['children'].append(nodes[row.id])
    return top


def _node(row: Disposition, language: str) -> dict:
    return {'id': row.id, 'code': row.code, 'label': row.label(language), 'label_en': row.label_en,
            'label_es': row.label_es, 'parent_id': row.parent_id, 'active': row.active, 'position': row.position,
            'children': []}


def get_disposition(client_id: int, disposition_id: int) -> Disposition:
    row = db.session.get(Disposition, disposition_id)
    if row is None or row.client_id != client_id:
        raise NotFound(_('No such disposition code.'))
    return row


def create_disposition(client_id: int, data: dict) -> Disposition:
    """A new code (under a top-level ``parent_id`` for the second level); 409 when the code is taken."""
    parent_id = data.get('parent_id')
    if parent_id is not None:
        _check_parent(client_id, parent_id, None)
    row = Disposition(client_id=client_id, parent_id=parent_id, code=data['code'], label_en=data['label_en'],
                      label_es=data['label_es'], active=data.get('active', True), position=data.get('position', 0))
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_('This disposition code already exists.'), fields={'code': [_('Already taken.')]})
    return row


def update_disposition(row: Disposition, data: dict) -> Disposition:
    """Change labels, order, active flag or parent (still two levels at most)."""
    if 'parent_id' in data and data['parent_id'] != row.parent_id:
        if data['parent_id'] is not None:
            _check_parent(row.client_id, data['parent_id'], row)
        row.parent_id = data['parent_id']
    for name in ('label_en', 'label_es', 'active', 'position'):
        if name in data:
            setattr(row, name, data[name])
    db.session.flush()
    return row


def delete_disposition(row: Disposition) -> None:
    """Remove a code nobody used yet (409 otherwise: deactivate it, the figures keep their history)."""
    ids = [row.id, *db.session.scalars(sa.select(Disposition.id).where(Disposition.parent_id == row.id))]
    used = db.session.scalar(sa.select(Ticket.id).where(Ticket.disposition_id.in_(ids)).limit(1))
    if used is not None:
        raise Conflict(_('Tickets use this disposition code: deactivate it instead.'), code='disposition_in_use')
    db.session.delete(row)
    db.session.flush()


def _check_parent(client_id: int, parent_id: int, row: Disposition | None) -> None:
    parent = db.session.get(Disposition, parent_id)
    if parent is None or parent.client_id != client_id:
        raise ValidationFailed(fields={'parent_id': [_('No such disposition code.')]})
    has_children = row is not None and db.session.scalar(
        sa.select(Disposition.id).where(Disposition.parent_id == row.id).limit(1)) is not None
    if parent.parent_id is not None or has_children or (row is not None and parent.id == row.id):
        raise ValidationFailed(fields={'parent_id': [
            _('Disposition codes have two levels at most: the parent must be a top-level code.')]})


def choosable(ticket: Ticket, disposition_id: int) -> Disposition:
    """The code an agent may give ``ticket``: the ticket's client's, active, and a leaf of the tree."""
    row = db.session.get(Disposition, disposition_id)
    if row is None or row.client_id != ticket.client_id or not row.active:
        raise ValidationFailed(fields={'disposition_id': [_('No such disposition code for this client.')]})
    child = db.session.scalar(sa.select(Disposition.id).where(Disposition.parent_id == row.id,
                                                              Disposition.active.is_(True)).limit(1))
    if child is not None:
        raise ValidationFailed(fields={'disposition_id': [_('Choose one of the codes under this one.')]})
    return row


def check_required(ticket: Ticket) -> None:
    """422 when the ticket's client requires a disposition code before resolving and it has none."""
    if ticket.disposition_id is None and ticket.client is not None and ticket.client.disposition_required:
        raise ValidationFailed(_('Choose a disposition code before resolving this ticket.'),
                               fields={'disposition_id': [_('Required by this client before resolving.')]})


"""Merging two customers of one client: everything that points at the one merged moves to the one kept."""
import sqlalchemy as sa

from ..audit.operations import record as audit
from ..core.errors import ValidationFailed
from ..core.extensions import db
from ..core.i18n import _
from ..core.live import publish, supervisor_rooms
from ..tickets.models import Customer, Ticket
from ..tickets.operations import Actor, record

FILLED = ('name', 'email', 'phone', 'handle', 'preferred_language')


def _references() -> list[sa.Column]:
    """Every column of the schema that refers to a customer (tickets, identities, messages, routing, …)."""
    customers = Customer.__table__
    return [fk.parent for table in db.metadata.tables.values() for fk in table.foreign_keys
            if fk.column.table is customers and fk.column.name == 'id']


def merge_customers(kept: Customer, merged: Customer, actor: Actor) -> dict:
    """Move ``merged``'s identities, tickets, messages and routing to ``kept``, then delete ``merged``.

    Both rows are locked by the caller. Each moved ticket records ``customer_merged`` in its
    history and the audit log records the merge (who, when, what moved). Sticky routing follows,
    since it reads the customer's earlier tickets. Returns what moved, by table.
    """
    if kept.id == merged.id:
        raise ValidationFailed(fields={'customer_id': [_('A customer cannot be merged into itself.')]})
    if kept.client_id != merged.client_id:
        raise ValidationFailed(fields={'customer_id': [_('Only customers of the same client can be merged.')]})
    tickets = db.session.scalars(sa.select(Ticket).where(Ticket.customer_id == merged.id).order_by(Ticket.id)).all()
    for ticket in tickets:
        record(ticket, 'customer_merged', actor, before={'customer_id': merged.id}, after={'customer_id': kept.id})
    for attr in FILLED:
        if getattr(kept, attr) is None and getattr(merged, attr) is not None:
            setattr(kept, attr, getattr(merged, attr))
    db.session.flush()
    moved = {}
    for column in _references():
        result = db.session.execute(sa.update(column.table).where(column == merged.id).values({column.name: kept.id}))
        if result.rowcount:
            moved[f'{column.table.name}.{column.name}'] = result.rowcount
    db.session.expire_all()
    db.session.execute(sa.delete(Customer.__table__).where(Customer.__table__.c.id == merged.id))
    detail = {'merged_customer_id': merged.id, 'kept_customer_id': kept.id, 'moved': moved,
              'tickets': [t.id for t in tickets]}
    audit('customer.merged', target_type='customer', target_id=kept.id, client_id=kept.client_id, detail=detail)
    publish(db.session, 'customer.merged', {'customer_id': kept.id, 'merged_customer_id': merged.id,
                                            'tickets': detail['tickets']}, supervisor_rooms(kept.client_id))
    return detail

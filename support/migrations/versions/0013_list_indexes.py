"""list indexes: each list's order under each equality filter (issue 12)

Revision ID: 0013_list_indexes
Revises: 0011_security

Tickets: (client_id, id), (client_id, status, id), (assignee_id, status, id), (status, id),
(client_id, created_at), (client_id, sla_due_at, id) and, on PostgreSQL, a GIN index of the
tags as jsonb; messages and events of a ticket: (ticket_id, id) instead of (ticket_id).
On PostgreSQL the indexes are built CONCURRENTLY (no lock on a live table's writes).
"""
from alembic import op
import sqlalchemy as sa

revision = '0013_list_indexes'
down_revision = '0011_security'
branch_labels = None
depends_on = None

REPLACED = {  # name: (table, old columns, new columns)
    'ix_tickets_client_status': ('tickets', ['client_id', 'status'], ['client_id', 'status', 'id']),
    'ix_tickets_assignee_status': ('tickets', ['assignee_id', 'status'], ['assignee_id', 'status', 'id']),
}
RENAMED = {  # old single-column index: (table, new name, new columns)
    'ix_messages_ticket_id': ('messages', 'ix_messages_ticket', ['ticket_id', 'id']),
    'ix_ticket_events_ticket_id': ('ticket_events', 'ix_ticket_events_ticket', ['ticket_id', 'id']),
}
ADDED = {
    'ix_tickets_client': ['client_id', 'id'],
    'ix_tickets_status': ['status', 'id'],
    'ix_tickets_client_created': ['client_id', 'created_at'],
    'ix_tickets_client_sla_due': ['client_id', 'sla_due_at', 'id'],
}
TAGS_INDEX = 'CREATE INDEX {concurrently} ix_tickets_tags ON tickets USING gin ((CAST(tags AS JSONB)) jsonb_path_ops)'


def _postgresql() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def _create(name, table, columns):
    op.create_index(name, table, columns, postgresql_concurrently=True)


def _replace(pg, name, table, columns):
    """PostgreSQL keeps the old index until the new one is built; SQLite has no ALTER INDEX."""
    if not pg:
        op.drop_index(name, table_name=table)
        return op.create_index(name, table, columns)
    _create(name + '_new', table, columns)
    op.drop_index(name, table_name=table)
    op.execute(sa.text(f'ALTER INDEX {name}_new RENAME TO {name}'))


def upgrade():
    pg = _postgresql()
    with op.get_context().autocommit_block():  # CREATE INDEX CONCURRENTLY runs outside a transaction
        for name, columns in ADDED.items():
            _create(name, 'tickets', columns)
        for name, (table, _old, new) in REPLACED.items():
            _replace(pg, name, table, new)
        for old, (table, name, columns) in RENAMED.items():
            _create(name, table, columns)
            op.drop_index(old, table_name=table)
        if pg:
            op.execute(sa.text(TAGS_INDEX.format(concurrently='CONCURRENTLY')))


def downgrade():
    if _postgresql():
        op.drop_index('ix_tickets_tags', table_name='tickets')
    for old, (table, name, _columns) in RENAMED.items():
        op.create_index(old, table, ['ticket_id'])
        op.drop_index(name, table_name=table)
    for name, (table, old, _new) in REPLACED.items():
        op.drop_index(name, table_name=table)
        op.create_index(name, table, old)
    for name in ADDED:
        op.drop_index(name, table_name='tickets')

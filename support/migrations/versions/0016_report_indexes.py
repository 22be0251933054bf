"""report indexes: what the report queries read through (issue 10; see support/reports/models.py)

Revision ID: 0016_report_indexes
Revises: 0014_search

On PostgreSQL the indexes are built CONCURRENTLY (no lock on a live table's writes).
"""
from alembic import op

revision = '0016_report_indexes'
down_revision = '0014_search'
branch_labels = None
depends_on = None

INDEXES = {  # name: (table, columns)
    'ix_ticket_events_kind_created': ('ticket_events', ['kind', 'created_at']),
    'ix_tickets_created': ('tickets', ['created_at']),
    'ix_tickets_abandoned': ('tickets', ['abandoned_at']),
    'ix_sla_clocks_metric_stopped': ('sla_clocks', ['metric', 'stopped_at']),
    'ix_wrapups_ticket_agent_started': ('wrapups', ['ticket_id', 'agent_id', 'started_at']),
    'ix_messages_ticket_author_created': ('messages', ['ticket_id', 'author_agent_id', 'created_at']),
}


def upgrade():
    with op.get_context().autocommit_block():  # CREATE INDEX CONCURRENTLY runs outside a transaction
        for name, (table, columns) in INDEXES.items():
            op.create_index(name, table, columns, postgresql_concurrently=True)


def downgrade():
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)

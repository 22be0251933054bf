"""report bench indexes: the assignments of a ticket, for the end of each handled contact (bench/reports.py)

Revision ID: 0017_report_bench_indexes
Revises: 0018_fields

A handled contact lasts until the ticket's next assignment or unassignment; the reports look that
up once per assignment in the range. ``ix_ticket_events_ticket`` (ticket, id) walks every later
event of the ticket (about ten); this partial index holds only assignments, so the lookup reads
the one it needs. On PostgreSQL it is built CONCURRENTLY (no lock on a live table's writes).
"""
import sqlalchemy as sa
from alembic import op

revision = '0017_report_bench_indexes'
down_revision = '0018_fields'
branch_labels = None
depends_on = None

ASSIGNMENTS = sa.text("kind IN ('assigned', 'unassigned')")


def upgrade():
    with op.get_context().autocommit_block():  # CREATE INDEX CONCURRENTLY runs outside a transaction
        op.create_index('ix_ticket_events_assignments', 'ticket_events', ['ticket_id', 'id'],
                        postgresql_where=ASSIGNMENTS, sqlite_where=ASSIGNMENTS, postgresql_concurrently=True)


def downgrade():
    op.drop_index('ix_ticket_events_assignments', table_name='ticket_events')

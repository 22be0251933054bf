"""report facts: the reports' stored fact rows, the stale-ticket marks and the triggers that write them

Revision ID: 0021_report_facts
Revises: 0017_report_bench_indexes

``report_facts`` holds one row per measurable happening of a ticket (support/reports/facts.py), so a
month's report reads one narrow table instead of working every figure out of a million history rows.
Triggers on the tables a fact comes from write the ticket's id to ``report_stale_tickets`` in the
writer's transaction; every report first works out again the facts of the stale tickets. The upgrade
backfills the facts of every existing ticket (with the statements of support/reports/facts.py).
"""
import sqlalchemy as sa
from alembic import op

revision = '0021_report_facts'
down_revision = '0017_report_bench_indexes'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
UTC = sa.DateTime(timezone=True)


def upgrade():
    from support.reports import facts
    from support.reports.models import stale_trigger_statements
    op.create_table(
        'report_facts',
        sa.Column('id', BigId, nullable=False),
        sa.Column('ticket_id', BigId, nullable=False),
        sa.Column('kind', sa.String(32), nullable=False),
        sa.Column('at', UTC, nullable=False),
        sa.Column('t', sa.BigInteger(), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(8), nullable=True),
        sa.Column('channel', sa.String(16), nullable=True),
        sa.Column('product', sa.String(120), nullable=True),
        sa.Column('disposition_id', sa.Integer(), nullable=True),
        sa.Column('agent_id', sa.Integer(), nullable=True),
        sa.Column('queue_id', sa.Integer(), nullable=True),
        sa.Column('value', sa.BigInteger(), nullable=True),
        sa.Column('value2', sa.BigInteger(), nullable=True),
        sa.Column('flag', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_report_facts_ticket_id_tickets'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_facts')),
    )
    op.create_index('ix_report_facts_at', 'report_facts', ['at'])
    op.create_index('ix_report_facts_client_at', 'report_facts', ['client_id', 'at'])
    op.create_index('ix_report_facts_ticket', 'report_facts', ['ticket_id'])
    op.create_table(
        'report_stale_tickets',
        sa.Column('id', BigId, nullable=False),
        sa.Column('ticket_id', BigId, nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_stale_tickets')),
    )
    bind = op.get_bind()
    for statement in stale_trigger_statements(bind.dialect.name):
        op.execute(sa.text(statement))
    facts.rebuild(bind)


def downgrade():
    tables = ('ticket_events', 'messages', 'sla_clocks', 'wrapups', 'calls', 'csat_responses', 'routing_items')
    if op.get_bind().dialect.name == 'postgresql':
        for table in ('tickets', *tables):
            op.execute(sa.text(f'DROP TRIGGER IF EXISTS report_stale ON {table}'))
        op.execute(sa.text('DROP FUNCTION IF EXISTS report_stale_ticket()'))
        op.execute(sa.text('DROP FUNCTION IF EXISTS report_stale_row()'))
    else:
        names = ['report_stale_tickets_insert', 'report_stale_tickets_update'] + [
            f'report_stale_{table}_{op_name}' for table in tables for op_name in ('insert', 'update', 'delete')]
        for name in names:
            op.execute(sa.text(f'DROP TRIGGER IF EXISTS {name}'))
    op.drop_table('report_stale_tickets')
    op.drop_index('ix_report_facts_ticket', table_name='report_facts')
    op.drop_index('ix_report_facts_client_at', table_name='report_facts')
    op.drop_index('ix_report_facts_at', table_name='report_facts')
    op.drop_table('report_facts')

"""sla: policies and clocks; tickets' SLA deadlines; clients' zone and catalogue; expiring exclusions

Revision ID: 0009_sla
Revises: 0008_calendars
"""
import json
import time

from alembic import op
import sqlalchemy as sa


revision = '0009_sla'
down_revision = '0008_calendars'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sla_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('calendar_id', sa.Integer(), nullable=True),
    sa.Column('conditions', sa.JSON(), nullable=False),
    sa.Column('first_response_seconds', sa.Integer(), nullable=True),
    sa.Column('next_response_seconds', sa.Integer(), nullable=True),
    sa.Column('resolution_seconds', sa.Integer(), nullable=True),
    sa.Column('answer_seconds', sa.Integer(), nullable=True),
    sa.Column('warning_percent', sa.SmallInteger(), nullable=False),
    sa.Column('service_level_percent', sa.SmallInteger(), nullable=False),
    sa.Column('pause_statuses', sa.JSON(), nullable=False),
    sa.Column('breach_priority', sa.String(length=16), nullable=True),
    sa.Column('breach_escalation', sa.SmallInteger(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('answer_seconds IS NULL OR (answer_seconds > 0 AND answer_seconds <= 31536000)', name=op.f('ck_sla_policies_answer_target')),
    sa.CheckConstraint('breach_escalation BETWEEN 0 AND 2', name=op.f('ck_sla_policies_breach_escalation')),
    sa.CheckConstraint('first_response_seconds IS NULL OR (first_response_seconds > 0 AND first_response_seconds <= 31536000)', name=op.f('ck_sla_policies_first_response_target')),
    sa.CheckConstraint('next_response_seconds IS NULL OR (next_response_seconds > 0 AND next_response_seconds <= 31536000)', name=op.f('ck_sla_policies_next_response_target')),
    sa.CheckConstraint('position >= 0', name=op.f('ck_sla_policies_position')),
    sa.CheckConstraint('resolution_seconds IS NULL OR (resolution_seconds > 0 AND resolution_seconds <= 31536000)', name=op.f('ck_sla_policies_resolution_target')),
    sa.CheckConstraint('service_level_percent BETWEEN 1 AND 100', name=op.f('ck_sla_policies_service_level_percent')),
    sa.CheckConstraint('warning_percent BETWEEN 1 AND 99', name=op.f('ck_sla_policies_warning_percent')),
    sa.ForeignKeyConstraint(['calendar_id'], ['calendars.id'], name=op.f('fk_sla_policies_calendar_id_calendars'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_sla_policies_client_id_clients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_policies')),
    sa.UniqueConstraint('client_id', 'name', name=op.f('uq_sla_policies_client_id_name')),
    sa.UniqueConstraint('client_id', 'position', name=op.f('uq_sla_policies_client_id_position'))
    )
    with op.batch_alter_table('sla_policies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sla_policies_calendar_id'), ['calendar_id'], unique=False)

    op.create_table('sla_clocks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('metric', sa.Enum('first_response', 'next_response', 'resolution', 'answer', name='metric', native_enum=False, length=24), nullable=False),
    sa.Column('sequence', sa.SmallInteger(), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=True),
    sa.Column('calendar_id', sa.Integer(), nullable=True),
    sa.Column('target_seconds', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('active', 'paused', 'met', 'breached', 'cancelled', name='clockstatus', native_enum=False, length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('warn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paused_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paused_seconds', sa.Integer(), nullable=False),
    sa.Column('warned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('breached_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('business_seconds', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('paused_seconds >= 0', name=op.f('ck_sla_clocks_paused_seconds')),
    sa.CheckConstraint('sequence >= 1', name=op.f('ck_sla_clocks_sequence')),
    sa.CheckConstraint('target_seconds > 0', name=op.f('ck_sla_clocks_target')),
    sa.ForeignKeyConstraint(['calendar_id'], ['calendars.id'], name=op.f('fk_sla_clocks_calendar_id_calendars'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_sla_clocks_client_id_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['policy_id'], ['sla_policies.id'], name=op.f('fk_sla_clocks_policy_id_sla_policies'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_sla_clocks_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_clocks')),
    sa.UniqueConstraint('ticket_id', 'metric', 'sequence', name=op.f('uq_sla_clocks_ticket_id_metric_sequence'))
    )
    with op.batch_alter_table('sla_clocks', schema=None) as batch_op:
        batch_op.create_index('ix_sla_clocks_breach_timer', ['due_at'], unique=False, postgresql_where=sa.text('stopped_at IS NULL AND paused_at IS NULL AND breached_at IS NULL'), sqlite_where=sa.text('stopped_at IS NULL AND paused_at IS NULL AND breached_at IS NULL'))
        batch_op.create_index('ix_sla_clocks_breached', ['breached_at'], unique=False)
        batch_op.create_index('ix_sla_clocks_client_metric_started', ['client_id', 'metric', 'started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sla_clocks_policy_id'), ['policy_id'], unique=False)
        batch_op.create_index('ix_sla_clocks_stopped', ['stopped_at'], unique=False)
        batch_op.create_index('ix_sla_clocks_warning_timer', ['warn_at'], unique=False, postgresql_where=sa.text('stopped_at IS NULL AND paused_at IS NULL AND warned_at IS NULL AND breached_at IS NULL'), sqlite_where=sa.text('stopped_at IS NULL AND paused_at IS NULL AND warned_at IS NULL AND breached_at IS NULL'))
        batch_op.create_index('uq_sla_clocks_running', ['ticket_id', 'metric'], unique=True, postgresql_where=sa.text('stopped_at IS NULL'), sqlite_where=sa.text('stopped_at IS NULL'))

    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), nullable=False,
                                      server_default='America/Mexico_City'))
        batch_op.add_column(sa.Column('products', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('tags', sa.JSON(), nullable=False, server_default='[]'))

    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sla_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sla_warn_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_tickets_sla_due', ['sla_due_at', 'id'], unique=False)
    _exclusions_expire()


EXCLUSION_SECONDS = 600


def _exclusions_expire():
    """``excluded`` was a list of agent ids; it is now ``[agent id, until]`` pairs (until: epoch seconds)."""
    items = sa.table('routing_items', sa.column('ticket_id', sa.Integer), sa.column('excluded', sa.JSON))
    connection = op.get_bind()
    until = int(time.time()) + EXCLUSION_SECONDS
    for ticket_id, excluded in connection.execute(sa.select(items.c.ticket_id, items.c.excluded)).all():
        excluded = json.loads(excluded) if isinstance(excluded, str) else excluded
        if excluded and all(isinstance(entry, int) for entry in excluded):
            connection.execute(items.update().where(items.c.ticket_id == ticket_id)
                               .values(excluded=[[agent_id, until] for agent_id in excluded]))



def downgrade():
    items = sa.table('routing_items', sa.column('ticket_id', sa.Integer), sa.column('excluded', sa.JSON))
    connection = op.get_bind()
    for ticket_id, excluded in connection.execute(sa.select(items.c.ticket_id, items.c.excluded)).all():
        excluded = json.loads(excluded) if isinstance(excluded, str) else excluded
        if excluded:
            connection.execute(items.update().where(items.c.ticket_id == ticket_id)
                               .values(excluded=[entry[0] if isinstance(entry, list) else entry for entry in excluded]))
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_sla_due')
        batch_op.drop_column('sla_warn_at')
        batch_op.drop_column('sla_due_at')

    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_column('tags')
        batch_op.drop_column('products')
        batch_op.drop_column('timezone')

    with op.batch_alter_table('sla_clocks', schema=None) as batch_op:
        batch_op.drop_index('uq_sla_clocks_running', postgresql_where=sa.text('stopped_at IS NULL'), sqlite_where=sa.text('stopped_at IS NULL'))
        batch_op.drop_index('ix_sla_clocks_warning_timer', postgresql_where=sa.text('stopped_at IS NULL AND paused_at IS NULL AND warned_at IS NULL AND breached_at IS NULL'), sqlite_where=sa.text('stopped_at IS NULL AND paused_at IS NULL AND warned_at IS NULL AND breached_at IS NULL'))
        batch_op.drop_index('ix_sla_clocks_stopped')
        batch_op.drop_index(batch_op.f('ix_sla_clocks_policy_id'))
        batch_op.drop_index('ix_sla_clocks_client_metric_started')
        batch_op.drop_index('ix_sla_clocks_breached')
        batch_op.drop_index('ix_sla_clocks_breach_timer', postgresql_where=sa.text('stopped_at IS NULL AND paused_at IS NULL AND breached_at IS NULL'), sqlite_where=sa.text('stopped_at IS NULL AND paused_at IS NULL AND breached_at IS NULL'))

    op.drop_table('sla_clocks')
    with op.batch_alter_table('sla_policies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sla_policies_calendar_id'))

    op.drop_table('sla_policies')

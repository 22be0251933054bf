"""wrapup: presence history, disposition codes, wrap-ups; clients' wrap-up limit and disposition rule;
tickets' disposition and abandoned time

Revision ID: 0012_wrapup
Revises: 0013_list_indexes

Data: every agent with a presence state gets an open presence history row with that state,
reason and ``since`` (the history starts there; nothing earlier was kept).
Columns are added to ``tickets`` and ``clients`` with plain ALTERs: a batch copy of a parent
table would cascade deletes on SQLite.
"""
from alembic import op
import sqlalchemy as sa

revision = '0012_wrapup'
down_revision = '0013_list_indexes'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
OPEN = sa.text('ended_at IS NULL')
RUNNING = {'postgresql_where': OPEN, 'sqlite_where': OPEN}


def upgrade():
    _presence_history()
    _dispositions()
    _wrapups()
    op.add_column('clients', sa.Column('wrapup_seconds', sa.Integer(), server_default='60', nullable=False))
    op.add_column('clients', sa.Column('disposition_required', sa.Boolean(), server_default=sa.false(),
                                       nullable=False))
    op.add_column('tickets', sa.Column('abandoned_at', sa.DateTime(timezone=True), nullable=True))
    if op.get_bind().dialect.name == 'sqlite':
        # ADD COLUMN ... REFERENCES: SQLite cannot add a named constraint to an existing table.
        op.execute('ALTER TABLE tickets ADD COLUMN disposition_id INTEGER '
                   'CONSTRAINT fk_tickets_disposition_id_dispositions REFERENCES dispositions (id)')
    else:
        op.add_column('tickets', sa.Column('disposition_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_tickets_disposition_id_dispositions'), 'tickets', 'dispositions',
                              ['disposition_id'], ['id'])
    _copy_current_presence()


def _presence_history():
    op.create_table(
        'agent_presence_changes',
        sa.Column('id', BigId, nullable=False),
        sa.Column('agent_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.Enum('available', 'away', 'offline', name='presence', native_enum=False, length=16),
                  nullable=False),
        sa.Column('reason', sa.String(length=40), nullable=True),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint('ended_at IS NULL OR ended_at >= started_at',
                           name=op.f('ck_agent_presence_changes_ends_after_start')),
        sa.ForeignKeyConstraint(['actor_id'], ['agents.id'], name=op.f('fk_agent_presence_changes_actor_id_agents'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_agent_presence_changes_agent_id_agents'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agent_presence_changes')),
    )
    op.create_index('uq_agent_presence_changes_open', 'agent_presence_changes', ['agent_id'], unique=True, **RUNNING)
    op.create_index('ix_agent_presence_changes_agent_started', 'agent_presence_changes',
                    ['agent_id', 'started_at', 'id'])
    op.create_index('ix_agent_presence_changes_started', 'agent_presence_changes', ['started_at'])


def _dispositions():
    op.create_table(
        'dispositions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('label_en', sa.String(length=80), nullable=False),
        sa.Column('label_es', sa.String(length=80), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('parent_id IS NULL OR parent_id <> id', name=op.f('ck_dispositions_not_own_parent')),
        sa.CheckConstraint('position >= 0', name=op.f('ck_dispositions_position_not_negative')),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_dispositions_client_id_clients'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['parent_id'], ['dispositions.id'],
                                name=op.f('fk_dispositions_parent_id_dispositions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dispositions')),
        sa.UniqueConstraint('client_id', 'code', name=op.f('uq_dispositions_client_id_code')),
    )
    op.create_index('ix_dispositions_parent_id', 'dispositions', ['parent_id'])


def _wrapups():
    op.create_table(
        'wrapups',
        sa.Column('id', BigId, nullable=False),
        sa.Column('agent_id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', BigId, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('trigger', sa.Enum('resolve', 'transfer', 'unassign', name='trigger', native_enum=False, length=16),
                  nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ended_by', sa.Enum('agent', 'timer', 'offline', 'reopened', name='endedby', native_enum=False,
                                      length=16), nullable=True),
        sa.Column('disposition_id', sa.Integer(), nullable=True),
        sa.CheckConstraint('due_at >= started_at', name=op.f('ck_wrapups_due_after_start')),
        sa.CheckConstraint('ended_at IS NULL OR ended_at >= started_at', name=op.f('ck_wrapups_ends_after_start')),
        sa.CheckConstraint('(ended_at IS NULL) = (ended_by IS NULL)', name=op.f('ck_wrapups_ended_by_when_ended')),
        sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_wrapups_agent_id_agents'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_wrapups_client_id_clients'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['disposition_id'], ['dispositions.id'],
                                name=op.f('fk_wrapups_disposition_id_dispositions'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_wrapups_ticket_id_tickets'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_wrapups')),
    )
    op.create_index('uq_wrapups_running', 'wrapups', ['agent_id', 'ticket_id'], unique=True, **RUNNING)
    op.create_index('ix_wrapups_due', 'wrapups', ['due_at'], **RUNNING)
    op.create_index('ix_wrapups_agent_started', 'wrapups', ['agent_id', 'started_at'])
    op.create_index('ix_wrapups_client_started', 'wrapups', ['client_id', 'started_at'])
    op.create_index('ix_wrapups_ticket_id', 'wrapups', ['ticket_id'])


def _copy_current_presence():
    op.execute("""INSERT INTO agent_presence_changes (agent_id, status, reason, actor_id, started_at, ended_at)
                  SELECT agent_id, status, CASE WHEN status = 'away' THEN reason END, NULL, since, NULL
                  FROM agent_states""")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint('fk_tickets_disposition_id_dispositions', 'tickets', type_='foreignkey')
    for table, column in (('tickets', 'disposition_id'), ('tickets', 'abandoned_at'),
                          ('clients', 'disposition_required'), ('clients', 'wrapup_seconds')):
        # Native on both (SQLite >= 3.35): a batch copy of a parent table would cascade deletes on SQLite.
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
    op.drop_table('wrapups')
    op.drop_table('dispositions')
    op.drop_table('agent_presence_changes')

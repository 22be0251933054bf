"""security: audit log, sign-in limits, two-factor, SSO, personal tokens, tenancy flag, secrets encrypted,
webhook endpoint secrets, replay marks, big ids on PostgreSQL

Revision ID: 0011_security
Revises: 0009_sla

Data: every agent that served every client before (no clients set, or a supervisor or admin)
gets ``all_clients`` so nothing changes silently; stored secrets are encrypted with the first
key of SUPPORT_ENCRYPTION_KEYS (decrypted again on downgrade); existing webhook subscriptions
keep no endpoint secret, so they are still signed with the client's key until rotated.
"""
from alembic import op
import sqlalchemy as sa

revision = '0011_security'
down_revision = '0009_sla'
branch_labels = None
depends_on = None

API_VERSION = '2026-12-01'
ENCRYPTED = (('client_keys', 'secret', 128), ('channel_configs', 'secret', 255), ('reply_endpoints', 'secret', 500))
BIG_IDS = {  # table: columns that hold ids of tables that grow without bound
    'customers': ('id',), 'customer_identities': ('id', 'customer_id'), 'tickets': ('id', 'customer_id'),
    'messages': ('id', 'ticket_id', 'author_customer_id'), 'ticket_events': ('id', 'ticket_id'),
    'webhook_deliveries': ('id', 'redelivery_of_id'), 'webhook_attempts': ('id', 'delivery_id'),
    'offers': ('id', 'ticket_id'), 'routing_items': ('ticket_id', 'customer_id'),
    'inbound_deliveries': ('id', 'ticket_id', 'message_id'), 'attachments': ('id', 'message_id'),
    'calls': ('id', 'ticket_id', 'message_id'), 'webhook_nonces': ('id',), 'conversation_threads': ('id', 'ticket_id'),
    'outbox': ('id', 'message_id', 'ticket_id'), 'idempotency_keys': ('id', 'resource_id'),
    'ticket_reads': ('ticket_id',), 'lab_checkouts': ('ticket_id',), 'lab_holds': ('ticket_id',),
    'lab_reminders': ('ticket_id',), 'sla_clocks': ('id', 'ticket_id'),
}
AUDIT_TRIGGERS = {
    'postgresql': (
        """CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit entries are append-only'; END; $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()"""),
    'sqlite': (
        """CREATE TRIGGER audit_entries_append_only BEFORE UPDATE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",),
}


def _postgresql() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade():
    _audit_log()
    _sign_in()
    _tenancy()
    _webhook_endpoints()
    _encrypt_secrets()
    if _postgresql():
        _big_ids('bigint')


def downgrade():
    if _postgresql():
        _big_ids('integer')
    _decrypt_secrets()
    for column in ('disabled_reason', 'disabled_at', 'failing_since', 'api_version', 'previous_secret_expires_at',
                   'previous_secret', 'secret'):
        _drop_column('webhook_subscriptions', column)
    _drop_column('clients', 'notify_email')
    op.drop_index('uq_agents_sso_subject', table_name='agents')
    for column in ('sso_subject', 'totp_last_step', 'totp_enabled_at', 'totp_secret', 'all_clients'):
        _drop_column('agents', column)
    for table in ('recovery_codes', 'api_tokens', 'replay_marks', 'login_throttles', 'audit_entries'):
        op.drop_table(table)
    if _postgresql():
        op.execute('DROP FUNCTION IF EXISTS audit_entries_append_only()')


def _drop_column(table: str, column: str) -> None:
    # Native on both (SQLite >= 3.35): a batch copy of a parent table would cascade deletes on SQLite.
    op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')


def _audit_log():
    op.create_table(
        'audit_entries',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor_type', sa.String(length=16), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_name', sa.String(length=254), nullable=True),
        sa.Column('action', sa.String(length=80), nullable=False),
        sa.Column('target_type', sa.String(length=40), nullable=True),
        sa.Column('target_id', sa.String(length=120), nullable=True),
        sa.Column('client_id', sa.Integer(), nullable=True),
        sa.Column('ip', sa.String(length=45), nullable=True),
        sa.Column('detail', sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries')),
    )
    op.create_index('ix_audit_entries_action', 'audit_entries', ['action', 'id'], unique=False)
    op.create_index('ix_audit_entries_actor', 'audit_entries', ['actor_type', 'actor_id', 'id'], unique=False)
    op.create_index('ix_audit_entries_client', 'audit_entries', ['client_id', 'id'], unique=False)
    op.create_index('ix_audit_entries_created', 'audit_entries', ['created_at'], unique=False)
    for statement in AUDIT_TRIGGERS.get(op.get_bind().dialect.name, ()):
        op.execute(statement)


def _sign_in():
    op.create_table(
        'login_throttles',
        sa.Column('kind', sa.Enum('account', 'ip', name='keykind', native_enum=False, length=8), nullable=False),
        sa.Column('key', sa.String(length=254), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('kind', 'key', name=op.f('pk_login_throttles')),
    )
    op.create_table(
        'replay_marks',
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('note', sa.String(length=255), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('digest', name=op.f('pk_replay_marks')),
    )
    op.create_index(op.f('ix_replay_marks_expires_at'), 'replay_marks', ['expires_at'], unique=False)
    op.create_table(
        'api_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agent_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('hint', sa.String(length=16), nullable=False),
        sa.Column('scopes', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_api_tokens_agent_id_agents'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash')),
    )
    op.create_index(op.f('ix_api_tokens_agent_id'), 'api_tokens', ['agent_id'], unique=False)
    op.create_table(
        'recovery_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agent_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_recovery_codes_agent_id_agents'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes')),
        sa.UniqueConstraint('agent_id', 'code_hash', name=op.f('uq_recovery_codes_agent_id_code_hash')),
    )
    op.create_index(op.f('ix_recovery_codes_agent_id'), 'recovery_codes', ['agent_id'], unique=False)
    op.add_column('agents', sa.Column('totp_secret', sa.Text(), nullable=True))
    op.add_column('agents', sa.Column('totp_enabled_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('agents', sa.Column('totp_last_step', sa.BigInteger(), nullable=True))
    op.add_column('agents', sa.Column('sso_subject', sa.String(length=255), nullable=True))
    op.create_index('uq_agents_sso_subject', 'agents', ['sso_subject'], unique=True)


def _tenancy():
    """``all_clients`` for everyone who served every client until now: nothing changes silently."""
    op.add_column('agents', sa.Column('all_clients', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("UPDATE agents SET all_clients = true WHERE role <> 'agent' "
               "OR NOT EXISTS (SELECT 1 FROM agent_clients WHERE agent_clients.agent_id = agents.id)")
    op.add_column('clients', sa.Column('notify_email', sa.String(length=254), nullable=True))


def _webhook_endpoints():
    op.add_column('webhook_subscriptions', sa.Column('secret', sa.Text(), nullable=True))
    op.add_column('webhook_subscriptions', sa.Column('previous_secret', sa.Text(), nullable=True))
    op.add_column('webhook_subscriptions', sa.Column('previous_secret_expires_at', sa.DateTime(timezone=True),
                                                     nullable=True))
    op.add_column('webhook_subscriptions', sa.Column('api_version', sa.String(length=16), nullable=False,
                                                     server_default=API_VERSION))
    op.add_column('webhook_subscriptions', sa.Column('failing_since', sa.DateTime(timezone=True), nullable=True))
    op.add_column('webhook_subscriptions', sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('webhook_subscriptions', sa.Column('disabled_reason', sa.String(length=200), nullable=True))


def _rewrite_secrets(convert) -> None:
    connection = op.get_bind()
    for table, column, _length in ENCRYPTED:
        rows = connection.execute(sa.text(f'SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL')).all()
        for row_id, value in rows:
            connection.execute(sa.text(f'UPDATE {table} SET {column} = :value WHERE id = :id'),
                               {'value': convert(value), 'id': row_id})


def _encrypt_secrets():
    from support.core.crypto import encrypt  # the keys of the app running the migration
    if _postgresql():
        for table, column, _length in ENCRYPTED:
            op.alter_column(table, column, type_=sa.Text(), existing_nullable=table == 'reply_endpoints')
    _rewrite_secrets(encrypt)


def _decrypt_secrets():
    from support.core.crypto import decrypt
    _rewrite_secrets(decrypt)
    if _postgresql():
        for table, column, length in ENCRYPTED:
            op.alter_column(table, column, type_=sa.String(length), existing_nullable=table == 'reply_endpoints')


def _big_ids(kind: str):
    """PostgreSQL: ids (and their sequences) and references to them as ``kind``; SQLite's are 64-bit already."""
    connection = op.get_bind()
    for table, columns in BIG_IDS.items():
        for column in columns:
            op.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE {kind}')
        sequence = connection.execute(sa.text("SELECT pg_get_serial_sequence(:table, 'id')"),
                                      {'table': table}).scalar() if 'id' in columns else None
        if sequence:
            op.execute(f'ALTER SEQUENCE {sequence} AS {kind}')

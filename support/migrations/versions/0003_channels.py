"""channels: provider configuration, processed deliveries, conversation threads, attachments, call log

Revision ID: 0003_channels
Revises: 0001
Create Date: 2026-11-24 06:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0003_channels'
down_revision = '0001'
branch_labels = None
depends_on = None


def _when(name, nullable=False):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade():
    op.create_table('webhook_nonces',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=16), nullable=False),
    sa.Column('value', sa.String(length=128), nullable=False),
    _when('created_at'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_nonces')),
    sa.UniqueConstraint('provider', 'value', name=op.f('uq_webhook_nonces_provider_value'))
    )
    op.create_index(op.f('ix_webhook_nonces_created_at'), 'webhook_nonces', ['created_at'], unique=False)
    op.create_table('channel_configs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.Enum('mailgun', 'meta', 'twilio', name='provider', native_enum=False, length=16), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=True),
    sa.Column('secret', sa.String(length=255), nullable=False),
    sa.Column('verify_token_hash', sa.String(length=64), nullable=True),
    sa.Column('account_sid', sa.String(length=64), nullable=True),
    sa.Column('public_url', sa.String(length=500), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    _when('created_at'),
    _when('updated_at'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_channel_configs_client_id_clients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_configs')),
    sa.UniqueConstraint('verify_token_hash', name=op.f('uq_channel_configs_verify_token_hash'))
    )
    op.create_index(op.f('ix_channel_configs_client_id'), 'channel_configs', ['client_id'], unique=False)
    op.create_table('channel_addresses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('config_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('email', 'page', 'phone', name='addresskind', native_enum=False, length=16), nullable=False),
    sa.Column('value', sa.String(length=254), nullable=False),
    sa.ForeignKeyConstraint(['config_id'], ['channel_configs.id'], name=op.f('fk_channel_addresses_config_id_channel_configs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_addresses')),
    sa.UniqueConstraint('kind', 'value', name=op.f('uq_channel_addresses_kind_value'))
    )
    op.create_index(op.f('ix_channel_addresses_config_id'), 'channel_addresses', ['config_id'], unique=False)
    op.create_table('conversation_threads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    _when('updated_at'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_conversation_threads_client_id_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_conversation_threads_ticket_id_tickets'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_threads')),
    sa.UniqueConstraint('client_id', 'key', name=op.f('uq_conversation_threads_client_id_key'))
    )
    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    _when('created_at'),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_attachments_message_id_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments'))
    )
    op.create_index(op.f('ix_attachments_message_id'), 'attachments', ['message_id'], unique=False)
    op.create_table('calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.String(length=128), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('from_number', sa.String(length=32), nullable=False),
    sa.Column('to_number', sa.String(length=32), nullable=True),
    sa.Column('status', sa.Enum('ringing', 'answered', 'ended', name='callstatus', native_enum=False, length=16), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('agent_name', sa.String(length=120), nullable=True),
    _when('ringing_at', True),
    _when('answered_at', True),
    _when('ended_at', True),
    sa.Column('duration_seconds', sa.Integer(), nullable=True),
    sa.Column('disposition', sa.String(length=64), nullable=True),
    sa.Column('recording_url', sa.String(length=1000), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    _when('created_at'),
    _when('updated_at'),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_calls_agent_id_agents'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_calls_client_id_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_calls_message_id_messages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_calls_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calls')),
    sa.UniqueConstraint('client_id', 'call_id', name=op.f('uq_calls_client_id_call_id'))
    )
    op.create_index(op.f('ix_calls_ticket_id'), 'calls', ['ticket_id'], unique=False)
    op.create_table('inbound_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('namespace', sa.String(length=16), nullable=False),
    sa.Column('external_id', sa.String(length=255), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('message_id', sa.Integer(), nullable=True),
    _when('created_at'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_inbound_deliveries_client_id_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_inbound_deliveries_message_id_messages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_inbound_deliveries_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_deliveries')),
    sa.UniqueConstraint('client_id', 'namespace', 'external_id', name=op.f('uq_inbound_deliveries_client_id_namespace_external_id'))
    )
    op.create_index(op.f('ix_inbound_deliveries_message_id'), 'inbound_deliveries', ['message_id'], unique=False)
    op.create_index(op.f('ix_inbound_deliveries_ticket_id'), 'inbound_deliveries', ['ticket_id'], unique=False)


def downgrade():
    for table, indexes in (('inbound_deliveries', ['ix_inbound_deliveries_ticket_id', 'ix_inbound_deliveries_message_id']),
                           ('calls', ['ix_calls_ticket_id']), ('attachments', ['ix_attachments_message_id']),
                           ('conversation_threads', []), ('channel_addresses', ['ix_channel_addresses_config_id']),
                           ('channel_configs', ['ix_channel_configs_client_id']),
                           ('webhook_nonces', ['ix_webhook_nonces_created_at'])):
        for index in indexes:
            op.drop_index(index, table_name=table)
        op.drop_table(table)

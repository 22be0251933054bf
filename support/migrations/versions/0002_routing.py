"""routing: agent presence, capacities and away reasons; queues, routing items, offers

Revision ID: 0002_routing
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_routing'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('away_reasons',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('label_en', sa.String(length=80), nullable=False),
    sa.Column('label_es', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_away_reasons'))
    )
    op.create_table('queues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=True),
    sa.Column('family', sa.String(length=16), nullable=True),
    sa.Column('threshold_seconds', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_queues_client_id_clients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queues')),
    sa.UniqueConstraint('client_id', 'language', 'family', name=op.f('uq_queues_client_id_language_family'))
    )
    op.create_table('agent_loads',
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('load', sa.Integer(), nullable=False),
    sa.CheckConstraint('capacity >= 0', name=op.f('ck_agent_loads_capacity_not_negative')),
    sa.CheckConstraint('load >= 0', name=op.f('ck_agent_loads_load_not_negative')),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_agent_loads_agent_id_agents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agent_id', 'channel', name=op.f('pk_agent_loads'))
    )
    op.create_table('agent_states',
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('available', 'away', 'offline', name='presence', native_enum=False, length=16), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=True),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('products', sa.JSON(), nullable=False),
    sa.Column('last_routed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_agent_states_agent_id_agents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agent_id', name=op.f('pk_agent_states'))
    )
    op.create_index(op.f('ix_agent_states_status'), 'agent_states', ['status'], unique=False)
    op.create_table('offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('status', sa.Enum('pending', 'accepted', 'declined', 'expired', 'cancelled', name='offerstatus', native_enum=False, length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_offers_agent_id_agents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_offers_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offers'))
    )
    op.create_index('ix_offers_agent_status', 'offers', ['agent_id', 'status'], unique=False)
    op.create_index('ix_offers_expiry', 'offers', ['expires_at'], unique=False, postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))
    op.create_index(op.f('ix_offers_ticket_id'), 'offers', ['ticket_id'], unique=False)
    op.create_index('uq_offers_pending_ticket', 'offers', ['ticket_id'], unique=True, postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))
    op.create_table('routing_items',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('queue_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('waiting', 'offered', 'assigned', 'done', name='itemstate', native_enum=False, length=16), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('product', sa.String(length=120), nullable=True),
    sa.Column('sort_priority', sa.SmallInteger(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('waiting_since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('escalation', sa.SmallInteger(), nullable=False),
    sa.Column('escalate_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('excluded', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_routing_items_agent_id_agents')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_routing_items_client_id_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_routing_items_customer_id_customers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['queue_id'], ['queues.id'], name=op.f('fk_routing_items_queue_id_queues')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_routing_items_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_routing_items'))
    )
    op.create_index('ix_routing_items_agent_state', 'routing_items', ['agent_id', 'state'], unique=False)
    op.create_index('ix_routing_items_escalate', 'routing_items', ['escalate_at'], unique=False, postgresql_where=sa.text("state = 'waiting'"), sqlite_where=sa.text("state = 'waiting'"))
    op.create_index('ix_routing_items_queue_state', 'routing_items', ['queue_id', 'state', 'waiting_since'], unique=False)
    op.create_index('ix_routing_items_waiting', 'routing_items', ['language', 'channel', 'sort_priority', 'due_at', 'ticket_id'], unique=False, postgresql_where=sa.text("state = 'waiting'"), sqlite_where=sa.text("state = 'waiting'"))


def downgrade():
    op.drop_index('ix_routing_items_waiting', table_name='routing_items', postgresql_where=sa.text("state = 'waiting'"), sqlite_where=sa.text("state = 'waiting'"))
    op.drop_index('ix_routing_items_queue_state', table_name='routing_items')
    op.drop_index('ix_routing_items_escalate', table_name='routing_items', postgresql_where=sa.text("state = 'waiting'"), sqlite_where=sa.text("state = 'waiting'"))
    op.drop_index('ix_routing_items_agent_state', table_name='routing_items')
    op.drop_table('routing_items')
    op.drop_index('uq_offers_pending_ticket', table_name='offers', postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))
    op.drop_index(op.f('ix_offers_ticket_id'), table_name='offers')
    op.drop_index('ix_offers_expiry', table_name='offers', postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))
    op.drop_index('ix_offers_agent_status', table_name='offers')
    op.drop_table('offers')
    op.drop_index(op.f('ix_agent_states_status'), table_name='agent_states')
    op.drop_table('agent_states')
    op.drop_table('agent_loads')
    op.drop_table('queues')
    op.drop_table('away_reasons')

"""console: canned answers and per-agent read markers

Revision ID: 0006_console
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_console'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'canned_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=True),
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column('title', sa.String(length=120), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_canned_answers_client_id_clients'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_canned_answers')),
        sa.UniqueConstraint('client_id', 'language', 'title', name=op.f('uq_canned_answers_client_id_language_title')),
    )
    op.create_index('ix_canned_answers_language', 'canned_answers', ['language'], unique=False)
    op.create_index(op.f('ix_canned_answers_client_id'), 'canned_answers', ['client_id'], unique=False)
    op.create_table(
        'ticket_reads',
        sa.Column('agent_id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_ticket_reads_agent_id_agents'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_reads_ticket_id_tickets'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('agent_id', 'ticket_id', name=op.f('pk_ticket_reads')),
    )
    op.create_index(op.f('ix_ticket_reads_ticket_id'), 'ticket_reads', ['ticket_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_ticket_reads_ticket_id'), table_name='ticket_reads')
    op.drop_table('ticket_reads')
    op.drop_index(op.f('ix_canned_answers_client_id'), table_name='canned_answers')
    op.drop_index('ix_canned_answers_language', table_name='canned_answers')
    op.drop_table('canned_answers')

"""csat: satisfaction surveys after a resolve and their answers (one per ticket); clients' CSAT switch and delay
(issue 13)

Revision ID: 0020_csat
Revises: 0019_macros

Columns are added to ``clients`` with plain ALTERs: a batch copy of a parent table would cascade
deletes on SQLite.
"""
from alembic import op
import sqlalchemy as sa

revision = '0020_csat'
down_revision = '0019_macros'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
SCHEDULED = sa.text("status = 'scheduled'")


def _fk(table, column, target, ondelete):
    return sa.ForeignKeyConstraint([column], [f'{target}.id'], name=op.f(f'fk_{table}_{column}_{target}'),
                                   ondelete=ondelete)


def upgrade():
    op.create_table(
        'csat_surveys',
        sa.Column('id', BigId, nullable=False),
        sa.Column('ticket_id', BigId, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', BigId, nullable=False),
        sa.Column('agent_id', sa.Integer(), nullable=True),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column('status', sa.Enum('scheduled', 'sent', 'answered', 'cancelled', 'failed', name='surveystatus',
                                    native_enum=False, length=16), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('message_id', BigId, nullable=True),
        sa.Column('failure', sa.String(length=300), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        _fk('csat_surveys', 'agent_id', 'agents', 'SET NULL'),
        _fk('csat_surveys', 'client_id', 'clients', 'CASCADE'),
        _fk('csat_surveys', 'customer_id', 'customers', 'CASCADE'),
        _fk('csat_surveys', 'message_id', 'messages', 'SET NULL'),
        _fk('csat_surveys', 'ticket_id', 'tickets', 'CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_csat_surveys')),
        sa.UniqueConstraint('ticket_id', name=op.f('uq_csat_surveys_ticket_id')),
    )
    op.create_index(op.f('ix_csat_surveys_client_id'), 'csat_surveys', ['client_id'])
    op.create_index('ix_csat_surveys_customer_sent', 'csat_surveys', ['customer_id', 'sent_at'])
    op.create_index('ix_csat_surveys_due', 'csat_surveys', ['due_at'], postgresql_where=SCHEDULED,
                    sqlite_where=SCHEDULED)
    op.create_table(
        'csat_responses',
        sa.Column('id', BigId, nullable=False),
        sa.Column('survey_id', BigId, nullable=False),
        sa.Column('ticket_id', BigId, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', BigId, nullable=False),
        sa.Column('agent_id', sa.Integer(), nullable=True),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column('rating', sa.SmallInteger(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('via', sa.Enum('link', 'reply', name='answervia', native_enum=False, length=16), nullable=False),
        sa.Column('message_id', BigId, nullable=True),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('commented_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint('rating BETWEEN 1 AND 5', name=op.f('ck_csat_responses_rating_1_to_5')),
        _fk('csat_responses', 'agent_id', 'agents', 'SET NULL'),
        _fk('csat_responses', 'client_id', 'clients', 'CASCADE'),
        _fk('csat_responses', 'customer_id', 'customers', 'CASCADE'),
        _fk('csat_responses', 'message_id', 'messages', 'SET NULL'),
        _fk('csat_responses', 'survey_id', 'csat_surveys', 'CASCADE'),
        _fk('csat_responses', 'ticket_id', 'tickets', 'CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_csat_responses')),
        sa.UniqueConstraint('survey_id', name=op.f('uq_csat_responses_survey_id')),
        sa.UniqueConstraint('ticket_id', name=op.f('uq_csat_responses_ticket_id')),
    )
    op.create_index('ix_csat_responses_agent_answered', 'csat_responses', ['agent_id', 'answered_at'])
    op.create_index('ix_csat_responses_client_answered', 'csat_responses', ['client_id', 'answered_at'])
    op.create_index('ix_csat_responses_customer', 'csat_responses', ['customer_id'])
    op.add_column('clients', sa.Column('csat_enabled', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('clients', sa.Column('csat_delay_minutes', sa.Integer(), server_default='60', nullable=False))


def downgrade():
    for column in ('csat_delay_minutes', 'csat_enabled'):
        # Native on both (SQLite >= 3.35): a batch copy of a parent table would cascade deletes on SQLite.
        op.execute(f'ALTER TABLE clients DROP COLUMN {column}')
    op.drop_table('csat_responses')
    op.drop_table('csat_surveys')

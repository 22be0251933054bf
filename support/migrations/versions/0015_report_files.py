"""report files: stored reports (the monthly PDF per client and month)

Revision ID: 0015_report_files
Revises: 0012_wrapup
"""
from alembic import op
import sqlalchemy as sa


revision = '0015_report_files'
down_revision = '0012_wrapup'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('monthly', name='reportkind', native_enum=False, length=16), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('status', sa.Enum('pending', 'ready', 'failed', name='reportstatus', native_enum=False, length=16),
              nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('figures', sa.JSON(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('generated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('period_end > period_start', name=op.f('ck_report_files_period')),
    sa.CheckConstraint("language IN ('en', 'es')", name=op.f('ck_report_files_language')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_report_files_client_id_clients'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['agents.id'], name=op.f('fk_report_files_requested_by_id_agents'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_files')),
    sa.UniqueConstraint('client_id', 'kind', 'period_start', name=op.f('uq_report_files_client_id_kind_period_start'))
    )


def downgrade():
    op.drop_table('report_files')

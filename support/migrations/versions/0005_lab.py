"""lab: equipment models, units, checkouts, holds, reservations, reminders

Revision ID: 0005_lab
Revises: 0001
Create Date: 2026-11-24 06:00:00

A unit has at most one open checkout: the unique partial index
``uq_lab_checkouts_open_unit`` (unit_id WHERE returned_at IS NULL), on PostgreSQL and SQLite.
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_lab'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lab_models',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('maker', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('category', sa.Enum('modem', 'cable_box', 'router', 'laptop', 'phone', 'tablet', 'other', name='category', native_enum=False, length=16), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('product_lines', sa.JSON(), nullable=False),
    sa.Column('photo_url', sa.String(length=500), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_lab_models_client_id_clients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lab_models')),
    sa.UniqueConstraint('maker', 'name', name=op.f('uq_lab_models_maker_name'))
    )

    with op.batch_alter_table('lab_models', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lab_models_client_id'), ['client_id'], unique=False)

    op.create_table('lab_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asset_tag', sa.String(length=64), nullable=False),
    sa.Column('serial', sa.String(length=120), nullable=True),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('shelf', sa.String(length=120), nullable=True),
    sa.Column('condition', sa.Enum('new', 'good', 'fair', 'damaged', name='condition', native_enum=False, length=16), nullable=False),
    sa.Column('status', sa.Enum('available', 'checked_out', 'reserved', 'maintenance', 'retired', name='unitstatus', native_enum=False, length=16), nullable=False),
    sa.Column('reserved_for_id', sa.Integer(), nullable=True),
    sa.Column('reserved_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['model_id'], ['lab_models.id'], name=op.f('fk_lab_units_model_id_lab_models')),
    sa.ForeignKeyConstraint(['reserved_for_id'], ['agents.id'], name=op.f('fk_lab_units_reserved_for_id_agents')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_lab_units_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lab_units')),
    sa.UniqueConstraint('asset_tag', name=op.f('uq_lab_units_asset_tag'))
    )

    with op.batch_alter_table('lab_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lab_units_model_id'), ['model_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lab_units_serial'), ['serial'], unique=False)
        batch_op.create_index('ix_lab_units_site_status', ['site_id', 'status'], unique=False)

    op.create_table('lab_checkouts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('checked_out_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('condition_out', sa.Enum('new', 'good', 'fair', 'damaged', name='condition', native_enum=False, length=16), nullable=False),
    sa.Column('notes_out', sa.Text(), nullable=True),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('returned_by_id', sa.Integer(), nullable=True),
    sa.Column('condition_in', sa.Enum('new', 'good', 'fair', 'damaged', name='condition', native_enum=False, length=16), nullable=True),
    sa.Column('notes_in', sa.Text(), nullable=True),
    sa.Column('forced', sa.Boolean(), nullable=False),
    sa.Column('overdue_notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_lab_checkouts_agent_id_agents')),
    sa.ForeignKeyConstraint(['returned_by_id'], ['agents.id'], name=op.f('fk_lab_checkouts_returned_by_id_agents')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_lab_checkouts_ticket_id_tickets'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['lab_units.id'], name=op.f('fk_lab_checkouts_unit_id_lab_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lab_checkouts'))
    )

    with op.batch_alter_table('lab_checkouts', schema=None) as batch_op:
        batch_op.create_index('ix_lab_checkouts_agent_id', ['agent_id'], unique=False)
        batch_op.create_index('ix_lab_checkouts_due_at', ['due_at'], unique=False)
        batch_op.create_index('ix_lab_checkouts_ticket_id', ['ticket_id'], unique=False)
        batch_op.create_index('uq_lab_checkouts_open_unit', ['unit_id'], unique=True, postgresql_where=sa.text('returned_at IS NULL'), sqlite_where=sa.text('returned_at IS NULL'))

    op.create_table('lab_holds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('waiting', 'ready', 'fulfilled', 'expired', 'cancelled', name='holdstatus', native_enum=False, length=16), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ready_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_lab_holds_agent_id_agents')),
    sa.ForeignKeyConstraint(['model_id'], ['lab_models.id'], name=op.f('fk_lab_holds_model_id_lab_models')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_lab_holds_site_id_sites')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_lab_holds_ticket_id_tickets'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['lab_units.id'], name=op.f('fk_lab_holds_unit_id_lab_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lab_holds'))
    )

    with op.batch_alter_table('lab_holds', schema=None) as batch_op:
        batch_op.create_index('ix_lab_holds_expires_at', ['expires_at'], unique=False)
        batch_op.create_index('ix_lab_holds_line', ['model_id', 'site_id', 'status', 'id'], unique=False)
        batch_op.create_index('uq_lab_holds_open_agent', ['model_id', 'site_id', 'agent_id'], unique=True, postgresql_where=sa.text("status IN ('waiting', 'ready')"), sqlite_where=sa.text("status IN ('waiting', 'ready')"))

    op.create_table('lab_reservations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('purpose', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_lab_reservations_window')),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_lab_reservations_agent_id_agents')),
    sa.ForeignKeyConstraint(['unit_id'], ['lab_units.id'], name=op.f('fk_lab_reservations_unit_id_lab_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lab_reservations'))
    )

    with op.batch_alter_table('lab_reservations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lab_reservations_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index('ix_lab_reservations_unit_window', ['unit_id', 'starts_at', 'ends_at'], unique=False)

    op.create_table('lab_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('checkout_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_lab_reminders_agent_id_agents')),
    sa.ForeignKeyConstraint(['checkout_id'], ['lab_checkouts.id'], name=op.f('fk_lab_reminders_checkout_id_lab_checkouts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_lab_reminders_ticket_id_tickets'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lab_reminders'))
    )

    with op.batch_alter_table('lab_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lab_reminders_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lab_reminders_checkout_id'), ['checkout_id'], unique=False)


def downgrade():
    op.drop_table('lab_reminders')
    op.drop_table('lab_reservations')
    op.drop_table('lab_holds')
    op.drop_table('lab_checkouts')
    op.drop_table('lab_units')
    op.drop_table('lab_models')

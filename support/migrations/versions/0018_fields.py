"""fields: custom ticket fields per client and their values on tickets (issue 13)

Revision ID: 0018_fields
Revises: 0020_csat

``ticket_fields`` holds each client's definitions, ``ticket_field_values`` one row per ticket
and field (canonical text ``value``, indexed with its field for the list's filter). The values
of text fields join the full-text index (support/tickets/search_index.py): on PostgreSQL a
stored generated ``search_vector`` with a GIN index, on SQLite the FTS5 table
``search_field_values`` kept by triggers. New tables: nothing to fill.
"""
from alembic import op
import sqlalchemy as sa

from support.tickets import search_index as index

revision = '0018_fields'
down_revision = '0020_csat'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
VALUES = 'ticket_field_values'


def upgrade():
    op.create_table(
        'ticket_fields',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('type', sa.Enum('text', 'number', 'select', 'date', 'checkbox', name='fieldtype',
                                  native_enum=False, length=16), nullable=False),
        sa.Column('label_en', sa.String(length=80), nullable=False),
        sa.Column('label_es', sa.String(length=80), nullable=False),
        sa.Column('options', sa.JSON(), nullable=False),
        sa.Column('required', sa.Enum('optional', 'on_create', 'before_resolve', name='requirement',
                                      native_enum=False, length=16), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('position >= 0', name=op.f('ck_ticket_fields_field_position_not_negative')),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_ticket_fields_client_id_clients'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_fields')),
        sa.UniqueConstraint('client_id', 'name', name=op.f('uq_ticket_fields_client_id_name')),
    )
    op.create_table(
        VALUES,
        sa.Column('id', BigId, nullable=False),
        sa.Column('ticket_id', BigId, nullable=False),
        sa.Column('field_id', sa.Integer(), nullable=False),
        sa.Column('value', sa.String(length=500), nullable=False),
        sa.Column('search_text', sa.Text(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['field_id'], ['ticket_fields.id'],
                                name=op.f('fk_ticket_field_values_field_id_ticket_fields')),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_field_values_ticket_id_tickets'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_field_values')),
        sa.UniqueConstraint('ticket_id', 'field_id', name=op.f('uq_ticket_field_values_ticket_id_field_id')),
    )
    op.create_index('ix_ticket_field_values_field_value', VALUES, ['field_id', 'value', 'ticket_id'])
    if op.get_bind().dialect.name == 'postgresql':
        for statement in index.pg_column_ddl(VALUES) + [index.pg_index_ddl(VALUES)]:
            op.execute(sa.text(statement))
        return
    for statement in index.sqlite_ddl(VALUES):
        op.execute(sa.text(statement))


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        fts = index.SQLITE_TERMS[VALUES][0]
        for suffix in ('insert', 'update', 'delete'):
            op.execute(sa.text(f'DROP TRIGGER IF EXISTS {fts}_{suffix}'))
        op.execute(sa.text(f'DROP TABLE IF EXISTS {fts}'))
    op.drop_table(VALUES)
    op.drop_table('ticket_fields')

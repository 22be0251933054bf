"""calendars: business hours, holidays, holiday sets; a site's calendar

Revision ID: 0008_calendars
Revises: 0007_merge_areas
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_calendars'
down_revision = '0007_merge_areas'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'calendars',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('timezone', sa.String(length=64), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendars')),
        sa.UniqueConstraint('name', name=op.f('uq_calendars_name')),
    )
    op.create_table(
        'calendar_intervals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('calendar_id', sa.Integer(), nullable=False),
        sa.Column('weekday', sa.SmallInteger(), nullable=False),
        sa.Column('start_second', sa.Integer(), nullable=False),
        sa.Column('end_second', sa.Integer(), nullable=False),
        sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_calendar_intervals_weekday')),
        sa.CheckConstraint('start_second >= 0 AND start_second < end_second AND end_second <= 86400',
                           name=op.f('ck_calendar_intervals_within_day')),
        sa.ForeignKeyConstraint(['calendar_id'], ['calendars.id'],
                                name=op.f('fk_calendar_intervals_calendar_id_calendars'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_intervals')),
    )
    op.create_index(op.f('ix_calendar_intervals_calendar_id'), 'calendar_intervals', ['calendar_id'])
    op.create_table(
        'calendar_holidays',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('calendar_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('source', sa.Enum('manual', 'ical', name='holidaysource', native_enum=False, length=16),
                  nullable=False),
        sa.ForeignKeyConstraint(['calendar_id'], ['calendars.id'],
                                name=op.f('fk_calendar_holidays_calendar_id_calendars'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_holidays')),
        sa.UniqueConstraint('calendar_id', 'day', name=op.f('uq_calendar_holidays_calendar_id_day')),
    )
    op.create_table(
        'calendar_holiday_sets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('calendar_id', sa.Integer(), nullable=False),
        sa.Column('country', sa.String(length=3), nullable=False),
        sa.Column('subdivision', sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(['calendar_id'], ['calendars.id'],
                                name=op.f('fk_calendar_holiday_sets_calendar_id_calendars'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_holiday_sets')),
        sa.UniqueConstraint('calendar_id', 'country', 'subdivision',
                            name=op.f('uq_calendar_holiday_sets_calendar_id_country_subdivision')),
    )
    with op.batch_alter_table('sites') as batch:
        batch.add_column(sa.Column('calendar_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_sites_calendar_id_calendars'), 'calendars', ['calendar_id'], ['id'])


def downgrade():
    with op.batch_alter_table('sites') as batch:
        batch.drop_constraint(op.f('fk_sites_calendar_id_calendars'), type_='foreignkey')
        batch.drop_column('calendar_id')
    op.drop_table('calendar_holiday_sets')
    op.drop_table('calendar_holidays')
    op.drop_index(op.f('ix_calendar_intervals_calendar_id'), table_name='calendar_intervals')
    op.drop_table('calendar_intervals')
    op.drop_table('calendars')

"""search: full-text index of tickets, messages and customers (issue 13)

Revision ID: 0014_search
Revises: 0015_report_files

PostgreSQL: the unaccent extension, an immutable unaccent wrapper and a language-aware
tsvector function; a stored generated ``search_vector`` on tickets, messages and customers
(adding it rewrites each table once) and a GIN index of each, built CONCURRENTLY.
SQLite: FTS5 tables kept by triggers, filled from the existing rows.
See support/tickets/search_index.py and docs/search.md.
"""
from alembic import op
import sqlalchemy as sa

from support.tickets import search_index as index

revision = '0014_search'
down_revision = '0015_report_files'
branch_labels = None
depends_on = None

TABLES = ('customers', 'tickets', 'messages')


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for statement in index.PG_FUNCTIONS:
            op.execute(sa.text(statement))
        for table in TABLES:
            for statement in index.pg_column_ddl(table):
                op.execute(sa.text(statement))
        with op.get_context().autocommit_block():
            for table in TABLES:
                op.execute(sa.text(index.pg_index_ddl(table, concurrently=True)))
        return
    for table in TABLES:
        for statement in index.sqlite_ddl(table):
            op.execute(sa.text(statement))
        op.execute(sa.text(index.sqlite_backfill(table)))


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in TABLES:
            op.execute(sa.text(f'DROP INDEX IF EXISTS {index.pg_index(table)}'))
            op.execute(sa.text(f'ALTER TABLE {table} DROP COLUMN IF EXISTS {index.VECTOR}'))
        for statement in index.PG_DROP_FUNCTIONS:
            op.execute(sa.text(statement))
        return
    for table in TABLES:
        fts = index.SQLITE_TERMS[table][0]
        for suffix in ('insert', 'update', 'delete'):
            op.execute(sa.text(f'DROP TRIGGER IF EXISTS {fts}_{suffix}'))
        op.execute(sa.text(f'DROP TABLE IF EXISTS {fts}'))

"""The full-text index, kept by the database on both backends (docs/search.md).

PostgreSQL: a stored generated ``tsvector`` column on tickets (subject), messages (body) and
customers (name, e-mail, handle, phone), each in its row's language (``english``/``spanish``;
both for a message of no language; ``simple`` for customers) over ``unaccent``, with a GIN
index. ``unaccent`` is only STABLE, so an IMMUTABLE wrapper naming its dictionary makes it
usable in a generated column.

The values of text custom fields (``ticket_field_values.search_text``, support/tickets/fields.py)
are indexed the same way since migration 0018_fields.

SQLite: an FTS5 table per indexed table (``search_tickets``, ``search_messages``,
``search_customers``, ``search_field_values``, rowid = the row's id) holding the stems ``search_text`` computes,
kept by triggers that call the Python function ``support_search_terms`` (registered on every
connection the app opens).

The same DDL serves ``create_all`` (tests, the embedded default) and migration 0014_search.
"""
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .search_text import document_terms, name_terms

PG_FUNCTIONS = (
    'CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public',
    """CREATE OR REPLACE FUNCTION public.support_unaccent(text) RETURNS text
       LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
       AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$""",
    """CREATE OR REPLACE FUNCTION public.support_text_vector(language text, body text) RETURNS tsvector
       LANGUAGE sql IMMUTABLE PARALLEL SAFE
       AS $$ SELECT CASE language
         WHEN 'es' THEN to_tsvector('pg_catalog.spanish', public.support_unaccent(coalesce(body, '')))
         WHEN 'en' THEN to_tsvector('pg_catalog.english', public.support_unaccent(coalesce(body, '')))
         ELSE to_tsvector('pg_catalog.spanish', public.support_unaccent(coalesce(body, '')))
              || to_tsvector('pg_catalog.english', public.support_unaccent(coalesce(body, '')))
       END $$""",
)
PG_DROP_FUNCTIONS = ('DROP FUNCTION IF EXISTS public.support_text_vector(text, text)',
                     'DROP FUNCTION IF EXISTS public.support_unaccent(text)')
# table: the generated expression of its search_vector column
PG_VECTORS = {
    'tickets': 'public.support_text_vector(language, subject)',
    'messages': 'public.support_text_vector(language, body)',
    'customers': ("to_tsvector('pg_catalog.simple', public.support_unaccent(coalesce(name, '') || ' ' || "
                  "coalesce(email, '') || ' ' || coalesce(handle, '') || ' ' || coalesce(phone, '')))"),
    # The values of text custom fields (tickets.fields; NULL for the other types), in both languages.
    'ticket_field_values': 'public.support_text_vector(NULL::text, search_text)',
}
# table: (FTS5 table, the call that computes its terms from a row named NEW)
SQLITE_TERMS = {
    'tickets': ('search_tickets', 'support_search_terms(NEW.subject, NEW.language)'),
    'messages': ('search_messages', 'support_search_terms(NEW.body, NEW.language)'),
    'customers': ('search_customers', 'support_name_terms(NEW.name, NEW.email, NEW.handle, NEW.phone)'),
    'ticket_field_values': ('search_field_values', 'support_search_terms(NEW.search_text, NULL)'),
}
SQLITE_WATCHED = {'tickets': 'subject, language', 'messages': 'body, language',
                  'customers': 'name, email, handle, phone', 'ticket_field_values': 'search_text'}
VECTOR = 'search_vector'


def pg_index(table: str) -> str:
    return f'ix_{table}_search'


def pg_column_ddl(table: str) -> list[str]:
    return [f'ALTER TABLE {table} ADD COLUMN {VECTOR} tsvector GENERATED ALWAYS AS ({PG_VECTORS[table]}) STORED']


def pg_index_ddl(table: str, concurrently: bool = False) -> str:
    return (f'CREATE INDEX {"CONCURRENTLY " if concurrently else ""}{pg_index(table)} '
            f'ON {table} USING gin ({VECTOR})')


def sqlite_ddl(table: str) -> list[str]:
    """The FTS5 table of ``table`` and the triggers that keep it (fresh: dropped first)."""
    fts, terms = SQLITE_TERMS[table]
    return [
        f'DROP TABLE IF EXISTS {fts}',
        f"CREATE VIRTUAL TABLE {fts} USING fts5(terms, tokenize = 'unicode61 remove_diacritics 2')",
        f'CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN '
        f'INSERT INTO {fts} (rowid, terms) VALUES (NEW.id, {terms}); END',
        f'CREATE TRIGGER {fts}_update AFTER UPDATE OF {SQLITE_WATCHED[table]} ON {table} BEGIN '
        f'UPDATE {fts} SET terms = {terms} WHERE rowid = NEW.id; END',
        f'CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN DELETE FROM {fts} WHERE rowid = OLD.id; END',
    ]


def sqlite_backfill(table: str) -> str:
    fts, terms = SQLITE_TERMS[table]
    return f'INSERT INTO {fts} (rowid, terms) SELECT id, {terms.replace("NEW.", "")} FROM {table}'


def is_search_object(name: str | None, type_: str) -> bool:
    """What this module adds beside the models (Alembic's comparison leaves it out)."""
    if not name:
        return False
    if type_ == 'table':
        return any(name == fts or name.startswith(fts + '_') for fts, _terms in SQLITE_TERMS.values())
    if type_ == 'column':
        return name == VECTOR
    return type_ == 'index' and name in {pg_index(table) for table in PG_VECTORS}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic ``include_object``: the search index is not described by the models."""
    return not (reflected and compare_to is None and is_search_object(name, type_))


def include_name(name, type_, parent_names) -> bool:
    return not (type_ == 'table' and is_search_object(name, 'table'))


_functions_installed: set = set()


def install(*tables: sa.Table) -> None:
    """Build the index whenever ``create_all`` creates one of ``tables``."""
    first = tables[0].metadata
    if id(first) not in _functions_installed:
        _functions_installed.add(id(first))
        for statement in PG_FUNCTIONS:
            event.listen(first, 'before_create', sa.DDL(statement).execute_if(dialect='postgresql'))
    for table in tables:
        for statement in pg_column_ddl(table.name) + [pg_index_ddl(table.name)]:
            event.listen(table, 'after_create', sa.DDL(statement).execute_if(dialect='postgresql'))
        for statement in sqlite_ddl(table.name):
            event.listen(table, 'after_create', sa.DDL(statement).execute_if(dialect='sqlite'))
        fts = SQLITE_TERMS[table.name][0]
        event.listen(table, 'after_drop', sa.DDL(f'DROP TABLE IF EXISTS {fts}').execute_if(dialect='sqlite'))


@event.listens_for(Engine, 'connect')
def _register_functions(dbapi_connection, connection_record):
    """SQLite's triggers call Python to stem; the functions live on each connection."""
    import sqlite3
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function('support_search_terms', 2, document_terms, deterministic=True)
        dbapi_connection.create_function('support_name_terms', 4, name_terms, deterministic=True)

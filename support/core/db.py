"""The declarative base, naming conventions and column helpers shared by all models."""
import copy
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

NAMING_CONVENTION = {
    'ix': 'ix_%(column_0_label)s',
    'uq': 'uq_%(table_name)s_%(column_0_N_name)s',
    'ck': 'ck_%(table_name)s_%(constraint_name)s',
    'fk': 'fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s',
    'pk': 'pk_%(table_name)s',
}


class UTCDateTime(sa.types.TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite drops the offset)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError('naive datetime given to a UTC column')
        return value

    def process_result_value(self, value, dialect):
        from datetime import timezone
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    registry = registry(metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
                        type_annotation_map={datetime: UTCDateTime()})


def enum_type(cls, length: int = 16) -> sa.Enum:
    """A Python enum stored as its values in a VARCHAR (no native enum type to migrate)."""
    return sa.Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


INT_MAX = 2 ** 31 - 1
BIGINT_MAX = 2 ** 63 - 1

# Ids of what grows without bound (tickets, messages, events, deliveries, audit entries) and the
# columns that refer to them: bigint on PostgreSQL; on SQLite an INTEGER, which is 64-bit there
# and must stay exactly "INTEGER PRIMARY KEY" to be the rowid. New models write
# ``id: Mapped[int] = big_pk()`` and ``mapped_column(BigId, sa.ForeignKey('tickets.id'))``.
BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def pk() -> Mapped[int]:
    return mapped_column(sa.Integer, primary_key=True)


def big_pk() -> Mapped[int]:
    """A primary key that may pass 2**31 (use it for every table that grows with traffic)."""
    return mapped_column(BigId, primary_key=True)


def column_max(column) -> int:
    """The largest value an integer column holds on every backend we run on."""
    return BIGINT_MAX if isinstance(column.type, sa.BigInteger) else INT_MAX


@event.listens_for(Engine, 'connect')
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL lets readers run beside the one writer; foreign keys are off by default in SQLite."""
    import sqlite3
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute('PRAGMA journal_mode=WAL')
        cursor.execute('PRAGMA foreign_keys=ON')
        cursor.execute('PRAGMA busy_timeout=30000')
        cursor.close()
        # We issue BEGIN ourselves (below) instead of pysqlite's implicit, late BEGIN.
        dbapi_connection.isolation_level = None


@event.listens_for(Engine, 'begin')
def _sqlite_begin_immediate(connection):
    """On SQLite every transaction takes the write lock up front.

    SQLite has no row locks and ignores ``FOR UPDATE``; serialising writers at BEGIN
    gives the same guarantees the row locks give on PostgreSQL, for one process.
    WAL still lets readers outside a transaction proceed.
    """
    if connection.dialect.name == 'sqlite':
        connection.exec_driver_sql('BEGIN' if _read_only_request() else 'BEGIN IMMEDIATE')


def _read_only_request() -> bool:
    """GET requests only read: they need not queue behind writers for the write lock (unless marked
    with ``writing_request``)."""
    from flask import g, has_request_context, request
    return has_request_context() and request.method in ('GET', 'HEAD', 'OPTIONS') and not g.get('support_writes')


def writing_request() -> None:
    """Mark the current GET as one that writes (a one-click link): on SQLite its transactions take the
    write lock at BEGIN, so two at once queue instead of failing to upgrade a read lock."""
    from flask import g
    g.support_writes = True


def is_sqlite(session) -> bool:
    return session.get_bind().dialect.name == 'sqlite'


def is_postgresql(session) -> bool:
    return session.get_bind().dialect.name == 'postgresql'



class Snapshot:
    """The column values of a loaded row, kept by a per-process cache (safe to share between requests).

    ``attach(session)`` gives the request its own persistent instance without a query; attributes
    not captured (relationships) load lazily as usual.
    """

    __slots__ = ('model', 'values', '_identity')

    def __init__(self, obj):
        mapper = sa.inspect(obj).mapper
        self.model = mapper.class_
        self.values = {attr.key: copy.deepcopy(getattr(obj, attr.key)) for attr in mapper.column_attrs}
        self._identity = mapper.identity_key_from_instance(obj)

    def __getattr__(self, name):
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    def attach(self, session):
        from sqlalchemy.orm import make_transient_to_detached
        found = session.identity_map.get(self._identity)
        if found is not None:
            return found
        obj = sa.inspect(self.model).class_manager.new_instance()
        for key, value in self.values.items():
            setattr(obj, key, copy.deepcopy(value))
        make_transient_to_detached(obj)
        session.add(obj)
        return obj

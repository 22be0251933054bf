"""One append-only table: every admin and supervisor action, key and secret event, login and export."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import utcnow
from ..core.db import Base, big_pk


class AuditEntry(Base):
    """Who (``actor_*``, ``ip``) did what (``action``) to what (``target_*``), for which client, when.

    ``client_id`` is a plain integer, not a foreign key: the log outlives what it describes.
    """

    __tablename__ = 'audit_entries'
    __table_args__ = (
        sa.Index('ix_audit_entries_client', 'client_id', 'id'),
        sa.Index('ix_audit_entries_action', 'action', 'id'),
        sa.Index('ix_audit_entries_actor', 'actor_type', 'actor_id', 'id'),
        sa.Index('ix_audit_entries_created', 'created_at'),
    )

    id: Mapped[int] = big_pk()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_type: Mapped[str] = mapped_column(sa.String(16))   # agent | client | system | anonymous
    actor_id: Mapped[int | None]
    actor_name: Mapped[str | None] = mapped_column(sa.String(254))
    action: Mapped[str] = mapped_column(sa.String(80))
    target_type: Mapped[str | None] = mapped_column(sa.String(40))
    target_id: Mapped[str | None] = mapped_column(sa.String(120))
    client_id: Mapped[int | None]
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    detail: Mapped[dict | None] = mapped_column(sa.JSON)


@event.listens_for(AuditEntry, 'before_update')
@event.listens_for(AuditEntry, 'before_delete')
def _append_only(mapper, connection, target):
    raise RuntimeError('audit entries are append-only')


# The database refuses changes too (the same statements are in the migration).
APPEND_ONLY_POSTGRESQL = (
    """CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit entries are append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()""",
)
# SQLite (one process, development): updates are refused; deletes only by the application,
# since SQLite has no TRUNCATE to empty a test database with.
APPEND_ONLY_SQLITE = (
    """CREATE TRIGGER audit_entries_append_only BEFORE UPDATE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
)


def append_only_statements(dialect: str) -> tuple[str, ...]:
    return {'postgresql': APPEND_ONLY_POSTGRESQL, 'sqlite': APPEND_ONLY_SQLITE}.get(dialect, ())


@event.listens_for(AuditEntry.__table__, 'after_create')
def _create_triggers(table, connection, **kwargs):
    for statement in append_only_statements(connection.dialect.name):
        connection.exec_driver_sql(statement)

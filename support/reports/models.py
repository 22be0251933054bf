"""Indexes the report queries read through, and the stored fact rows they read (``report_facts``).

Declared here, on the tables of the domains they read, so the schema knows them (``create_all``,
Alembic's comparison) and migration 0016_report_indexes builds them:

* ``ticket_events (kind, created_at)``: resolved, reopened, transferred and answered events, and the
  assignments that are handled contacts, of a range, without reading other kinds of history;
* ``tickets (created_at)`` and ``tickets (abandoned_at)``: created and abandoned contacts of a range
  across clients (per client, ``ix_tickets_client_created`` serves);
* ``sla_clocks (metric, stopped_at)``: the clocks of each metric that stopped in a range;
* ``ticket_events (ticket_id, id) WHERE kind IN ('assigned', 'unassigned')`` (migration
  0017_report_bench_indexes): the next assignment of a ticket, where a handled contact ends;
* ``wrapups (ticket_id, agent_id, started_at)`` and ``messages (ticket_id, author_agent_id, created_at)``:
  the wrap-up and last reply of one agent's assignment (now read when a ticket's facts are worked out).

``report_facts`` and ``report_stale_tickets`` (migration 0021_report_facts) are the reports' own: the
stored fact rows and the marks, written by triggers, of the tickets whose facts are out of date.
"""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import Base, BigId, big_pk
from ..sla.models import SlaClock
from ..tickets.models import Message, Ticket, TicketEvent
from ..wrapup.models import WrapUp

INDEXES = (
    sa.Index('ix_ticket_events_kind_created', TicketEvent.kind, TicketEvent.created_at),
    sa.Index('ix_ticket_events_assignments', TicketEvent.ticket_id, TicketEvent.id,
             postgresql_where=sa.text("kind IN ('assigned', 'unassigned')"),
             sqlite_where=sa.text("kind IN ('assigned', 'unassigned')")),
    sa.Index('ix_tickets_created', Ticket.created_at),
    sa.Index('ix_tickets_abandoned', Ticket.abandoned_at),
    sa.Index('ix_sla_clocks_metric_stopped', SlaClock.metric, SlaClock.stopped_at),
    sa.Index('ix_wrapups_ticket_agent_started', WrapUp.ticket_id, WrapUp.agent_id, WrapUp.started_at),
    sa.Index('ix_messages_ticket_author_created', Message.ticket_id, Message.author_agent_id, Message.created_at),
)


# --- the stored fact rows (support/reports/facts.py) -------------------------------------------

class ReportFact(Base):
    """One measurable happening of a ticket, worked out once from the rows it comes from (see
    ``facts``): its kind, instant (``at``, and ``t`` its whole epoch second), the ticket's dimensions
    (the agent is the fact's own for a handled contact or a CSAT answer, else the ticket's assignee),
    and its values (``value``, ``value2``, ``flag``: what each kind carries is in ``facts``)."""

    __tablename__ = 'report_facts'
    __table_args__ = (
        sa.Index('ix_report_facts_at', 'at'),
        sa.Index('ix_report_facts_client_at', 'client_id', 'at'),
        sa.Index('ix_report_facts_ticket', 'ticket_id'),
    )

    id: Mapped[int] = big_pk()
    ticket_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey('tickets.id', ondelete='CASCADE'))
    kind: Mapped[str] = mapped_column(sa.String(32))
    at: Mapped[datetime]
    t: Mapped[int] = mapped_column(sa.BigInteger)
    client_id: Mapped[int]
    language: Mapped[str | None] = mapped_column(sa.String(8))
    channel: Mapped[str | None] = mapped_column(sa.String(16))
    product: Mapped[str | None] = mapped_column(sa.String(120))
    disposition_id: Mapped[int | None]
    agent_id: Mapped[int | None]
    queue_id: Mapped[int | None]
    value: Mapped[int | None] = mapped_column(sa.BigInteger)
    value2: Mapped[int | None] = mapped_column(sa.BigInteger)
    flag: Mapped[int | None]


class StaleTicket(Base):
    """A ticket whose fact rows are out of date: written by database triggers on every row a fact
    comes from (``STALE_SOURCES``), in the writer's transaction; read and emptied by ``facts.refresh``."""

    __tablename__ = 'report_stale_tickets'

    id: Mapped[int] = big_pk()
    ticket_id: Mapped[int] = mapped_column(BigId)


# The tables a fact is worked out from, and the column naming the ticket; ``tickets`` itself only when a
# dimension or an instant of a fact changes (not on every ``updated_at``).
STALE_SOURCES = {'ticket_events': 'ticket_id', 'messages': 'ticket_id', 'sla_clocks': 'ticket_id',
                 'wrapups': 'ticket_id', 'calls': 'ticket_id', 'csat_responses': 'ticket_id',
                 'routing_items': 'ticket_id'}
TICKET_COLUMNS = ('client_id', 'language', 'channel', 'product', 'disposition_id', 'assignee_id', 'created_at',
                  'abandoned_at')


def stale_trigger_statements(dialect: str) -> list[str]:
    """The DDL of the triggers that mark tickets stale (the migration runs the same statements)."""
    if dialect == 'postgresql':
        out = ["""CREATE OR REPLACE FUNCTION report_stale_ticket() RETURNS trigger AS $$
BEGIN INSERT INTO report_stale_tickets (ticket_id) VALUES (NEW.id); RETURN NULL; END; $$ LANGUAGE plpgsql""",
               """CREATE OR REPLACE FUNCTION report_stale_row() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'DELETE' AND NEW.ticket_id IS NOT NULL THEN
    INSERT INTO report_stale_tickets (ticket_id) VALUES (NEW.ticket_id);
  END IF;
  IF TG_OP <> 'INSERT' AND OLD.ticket_id IS NOT NULL AND (TG_OP = 'DELETE' OR OLD.ticket_id IS DISTINCT FROM NEW.ticket_id) THEN
    INSERT INTO report_stale_tickets (ticket_id) VALUES (OLD.ticket_id);
  END IF;
  RETURN NULL;
END; $$ LANGUAGE plpgsql""",
               f"""CREATE TRIGGER report_stale AFTER INSERT OR UPDATE OF {', '.join(TICKET_COLUMNS)} ON tickets
FOR EACH ROW EXECUTE FUNCTION report_stale_ticket()"""]
        out += [f"""CREATE TRIGGER report_stale AFTER INSERT OR UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION report_stale_row()""" for table in STALE_SOURCES]
        return out
    if dialect == 'sqlite':
        mark = 'INSERT INTO report_stale_tickets (ticket_id) VALUES ({}.{})'
        out = [f'CREATE TRIGGER report_stale_tickets_insert AFTER INSERT ON tickets BEGIN {mark.format("NEW", "id")}; END',
               f'CREATE TRIGGER report_stale_tickets_update AFTER UPDATE OF {", ".join(TICKET_COLUMNS)} ON tickets '
               f'BEGIN {mark.format("NEW", "id")}; END']
        for table, column in STALE_SOURCES.items():
            out += [f'CREATE TRIGGER report_stale_{table}_insert AFTER INSERT ON {table} WHEN NEW.{column} IS NOT NULL '
                    f'BEGIN {mark.format("NEW", column)}; END',
                    f'CREATE TRIGGER report_stale_{table}_update AFTER UPDATE ON {table} '
                    f'BEGIN INSERT INTO report_stale_tickets (ticket_id) SELECT NEW.{column} WHERE NEW.{column} IS NOT NULL; '
                    f'INSERT INTO report_stale_tickets (ticket_id) SELECT OLD.{column} '
                    f'WHERE OLD.{column} IS NOT NULL AND OLD.{column} IS NOT NEW.{column}; END',
                    f'CREATE TRIGGER report_stale_{table}_delete AFTER DELETE ON {table} WHEN OLD.{column} IS NOT NULL '
                    f'BEGIN {mark.format("OLD", column)}; END']
        return out
    return []


@sa.event.listens_for(Base.metadata, 'after_create')
def _create_triggers(metadata, connection, tables=(), **kwargs):
    names = {table.name for table in tables}
    if 'report_stale_tickets' in names:
        for statement in stale_trigger_statements(connection.dialect.name):
            connection.exec_driver_sql(statement)

"""Indexes the report queries read through (reports own no table of their own: they only read).

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
  the wrap-up and last reply of one agent's assignment.
"""
import sqlalchemy as sa

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

"""The stored fact rows of the reports (``report_facts``): every measurable happening of a ticket worked
out once, when the report after it is asked for, instead of from a month of history at every report.

What a fact is (one row each; ``value``, ``value2``, ``flag`` as the kind says):

* ``created``, ``abandoned``: the ticket's creation and its customer leaving (``tickets``);
* ``resolved``, ``reopened``, ``transferred``, ``answered``: events of its history;
* ``clock_<metric>``: an SLA clock stopped with its event (met or breached): calendar seconds, business
  seconds, met; ``breach_<metric>``: a running clock whose due time passed, at the breach;
  ``abandon_answer``: the answer clock of an abandoned contact, at its stop (flag: breached);
* ``handle``: one assignment of the ticket to an agent, at its start: talk, wrap-up seconds (the agent is
  the assignment's);
* ``csat``: the customer's answer: rating, satisfied (the agent is the one it is attributed to).

Each carries the ticket's dimensions as they are now (client, language, channel, product, disposition,
queue; the agent is the ticket's assignee unless the fact has its own), so a report reads one narrow
table and groups it, with no join and no lookup per contact.

Staying exact: database triggers (``models.stale_trigger_statements``) write the id of a ticket to
``report_stale_tickets`` in the same transaction as any row a fact of it comes from (its history,
messages, clocks, wrap-ups, calls, CSAT answer, routing item, or a dimension of the ticket itself).
``refresh()``, which every report runs first, takes those ids (deleting them), deletes their facts and
works them out again from the rows, with the statements below: the same SQL on both backends. So a
report sees every change committed before it, as the reports computed from the rows always did.
On PostgreSQL one refresh runs at a time (a transaction-level advisory lock), so two never write
the same ticket's facts twice.
"""
import sqlalchemy as sa

from ..channels.models import Call
from ..core.db import is_postgresql, is_sqlite, writing_request
from ..core.extensions import db
from ..csat.models import SATISFIED, CsatResponse
from ..routing.models import RoutingItem
from ..sla.models import ClockStatus, SlaClock
from ..tickets.models import Message, MessageKind, Ticket, TicketEvent
from ..wrapup.models import WrapUp
from .definitions import CLOCK_METRICS
from .models import ReportFact, StaleTicket
from .sqlfuncs import epoch

COLUMNS = ('ticket_id', 'kind', 'at', 't', 'client_id', 'language', 'channel', 'product', 'disposition_id',
           'agent_id', 'queue_id', 'value', 'value2', 'flag')
CLOCK_KINDS = tuple(f'clock_{metric}' for metric in CLOCK_METRICS)
CHUNK = 2000         # tickets worked out per statement
LOCK_KEY = 7_301_010  # pg_advisory_xact_lock: one refresh at a time


def _fact(ticket_id, at, kind: str, value=None, value2=None, flag=None, agent=None) -> list:
    queue = sa.select(RoutingItem.queue_id).where(RoutingItem.ticket_id == Ticket.id).scalar_subquery()
    return [ticket_id.label('ticket_id'), sa.literal(kind, sa.String).label('kind'), at.label('at'),
            epoch(at).label('t'), Ticket.client_id.label('client_id'), Ticket.language.label('language'),
            sa.cast(Ticket.channel, sa.String).label('channel'), Ticket.product.label('product'),
            Ticket.disposition_id.label('disposition_id'),
            (agent if agent is not None else Ticket.assignee_id).label('agent_id'), queue.label('queue_id'),
            sa.cast(sa.null() if value is None else value, sa.BigInteger).label('value'),
            sa.cast(sa.null() if value2 is None else value2, sa.BigInteger).label('value2'),
            sa.cast(sa.null() if flag is None else flag, sa.Integer).label('flag')]


def _ticket_facts(tickets) -> list:
    return [sa.select(*_fact(Ticket.id, Ticket.created_at, 'created')).where(tickets(Ticket.id)),
            sa.select(*_fact(Ticket.id, Ticket.abandoned_at, 'abandoned'))
            .where(tickets(Ticket.id), Ticket.abandoned_at.is_not(None))]


def _event_facts(tickets) -> list:
    e = TicketEvent
    status_after, status_before = e.after['status'].as_string(), e.before['status'].as_string()
    before_agent, after_agent = e.before['assignee_id'].as_integer(), e.after['assignee_id'].as_integer()

    def event(kind, *where):
        return (sa.select(*_fact(e.ticket_id, e.created_at, kind)).select_from(e)
                .join(Ticket, Ticket.id == e.ticket_id).where(tickets(e.ticket_id), *where))
    return [
        event('resolved', e.kind == 'status_changed', status_after == 'resolved'),
        event('reopened', e.kind == 'status_changed', status_before == 'resolved', status_after == 'open'),
        event('transferred', e.kind == 'assigned', before_agent.is_not(None), after_agent.is_not(None),
              before_agent != after_agent),
        event('answered', e.kind == 'assigned', e.after['via'].as_string() == 'offer'),
    ]


def _csat_facts(tickets) -> list:
    """One row per CSAT answer, when it arrived, counted for the agent it is attributed to."""
    c = CsatResponse
    return [sa.select(*_fact(c.ticket_id, c.answered_at, 'csat', value=c.rating, agent=c.agent_id,
                             flag=sa.case((c.rating >= SATISFIED, 1), else_=0)))
            .select_from(c).join(Ticket, Ticket.id == c.ticket_id)
            .where(tickets(c.ticket_id), c.answered_at.is_not(None))]


def _clock_facts(tickets) -> list:
    """Stopped clocks (their durations are ranked for the percentiles), breaches and abandons."""
    c = SlaClock
    abandoned_answer = sa.and_(c.metric == 'answer', Ticket.abandoned_at.is_not(None))
    out = []

    def clocks(*columns):
        return sa.select(*columns).select_from(c).join(Ticket, Ticket.id == c.ticket_id).where(tickets(c.ticket_id))
    for metric in CLOCK_METRICS:
        out.append(clocks(*_fact(c.ticket_id, c.stopped_at, f'clock_{metric}',
                                 epoch(c.stopped_at) - epoch(c.started_at), c.business_seconds,
                                 sa.case((c.status == ClockStatus.met, 1), else_=0)))
                   .where(c.metric == metric, c.stopped_at.is_not(None), c.business_seconds.is_not(None),
                          c.status.in_([ClockStatus.met, ClockStatus.breached]), sa.not_(abandoned_answer)))
        out.append(clocks(*_fact(c.ticket_id, c.breached_at, f'breach_{metric}'))
                   .where(c.metric == metric, c.stopped_at.is_(None), c.breached_at.is_not(None)))
    out.append(clocks(*_fact(c.ticket_id, c.stopped_at, 'abandon_answer',
                             flag=sa.case((c.status == ClockStatus.breached, 1), else_=0)))
               .where(abandoned_answer, c.stopped_at.is_not(None)))
    return out


def _segments(tickets):
    """Each assignment of a ticket to an agent, and when the next assignment or unassignment began."""
    e, e2 = TicketEvent, sa.orm.aliased(TicketEvent)
    following = (sa.select(sa.func.min(e2.created_at))
                 .where(e2.ticket_id == e.ticket_id, e2.kind.in_(('assigned', 'unassigned')), e2.id > e.id)
                 .scalar_subquery())
    return (sa.select(e.ticket_id.label('ticket_id'), e.after['assignee_id'].as_integer().label('agent_id'),
                      e.created_at.label('started_at'), following.label('ended_at'))
            .where(e.kind == 'assigned', tickets(e.ticket_id), e.after['assignee_id'].as_integer().is_not(None))
            .subquery('segments'))


def _within(column, seg, inclusive_end=False):
    end = column <= seg.c.ended_at if inclusive_end else column < seg.c.ended_at
    return sa.and_(column >= seg.c.started_at, sa.or_(seg.c.ended_at.is_(None), end))


def _handle_facts(tickets) -> list:
    """Talk (accept -> the agent's last reply or note in the assignment, or the call's duration on
    the phone) and wrap-up of every assignment; the agent is the assignment's."""
    seg = _segments(tickets)
    call = (sa.select(sa.func.sum(Call.duration_seconds))
            .where(Call.ticket_id == seg.c.ticket_id, Call.agent_id == seg.c.agent_id,
                   Call.duration_seconds.is_not(None), _within(Call.answered_at, seg)).scalar_subquery())
    last = (sa.select(sa.func.max(epoch(Message.created_at)))
            .where(Message.ticket_id == seg.c.ticket_id, Message.author_agent_id == seg.c.agent_id,
                   Message.kind.in_([MessageKind.outbound, MessageKind.note]), _within(Message.created_at, seg))
            .scalar_subquery())
    wrap = (sa.select(sa.func.sum(epoch(WrapUp.ended_at) - epoch(WrapUp.started_at)))
            .where(WrapUp.ticket_id == seg.c.ticket_id, WrapUp.agent_id == seg.c.agent_id,
                   WrapUp.ended_at.is_not(None), _within(WrapUp.started_at, seg, inclusive_end=True))
            .scalar_subquery())
    talk = sa.func.coalesce(call, last - epoch(seg.c.started_at), 0)
    return [sa.select(*_fact(seg.c.ticket_id, seg.c.started_at, 'handle', talk, sa.func.coalesce(wrap, 0),
                             agent=seg.c.agent_id))
            .select_from(seg).join(Ticket, Ticket.id == seg.c.ticket_id)]


def fact_selects(tickets) -> list:
    """The SELECTs of every fact of the tickets ``tickets(column)`` accepts (a condition on a ticket id column)."""
    return (_ticket_facts(tickets) + _event_facts(tickets) + _clock_facts(tickets) + _handle_facts(tickets)
            + _csat_facts(tickets))


def _write(tickets, execute=None) -> None:
    columns = [ReportFact.__table__.c[name] for name in COLUMNS]
    everything = sa.union_all(*fact_selects(tickets))  # one statement: one plan, one round trip
    (execute or db.session.execute)(sa.insert(ReportFact.__table__).from_select(columns, everything))


def _stale() -> bool:
    return db.session.scalar(sa.select(StaleTicket.id).limit(1)) is not None


def refresh_committed() -> None:
    """The refresh of a request that otherwise only reads (the reports API), committed before it reads,
    so the refresh lock is let go and a CSV streaming for minutes holds none. On SQLite the request's
    read transaction is ended first and the refresh's takes the write lock at BEGIN: reports asked at
    once (the dashboard asks five) queue for it instead of failing to upgrade a read lock."""
    if not _stale():
        return
    if is_sqlite(db.session):
        from flask import g
        db.session.commit()
        writing_request()
        try:
            refresh()
            db.session.commit()
        finally:
            g.support_writes = False  # what follows only reads again
        return
    refresh()
    db.session.commit()


def refresh() -> int:
    """Work out again the facts of the tickets marked stale; the number of tickets. In the caller's
    transaction (the reports API commits it before reading; a job's commit keeps it)."""
    session = db.session
    if not _stale():
        return 0
    if is_postgresql(session):
        session.execute(sa.text('SELECT pg_advisory_xact_lock(:key)'), {'key': LOCK_KEY})
    marks = StaleTicket.__table__
    stale = sorted(set(session.scalars(sa.delete(marks).returning(marks.c.ticket_id))))
    for i in range(0, len(stale), CHUNK):
        chunk = stale[i:i + CHUNK]
        session.execute(sa.delete(ReportFact.__table__).where(ReportFact.__table__.c.ticket_id.in_(chunk)))
        _write(lambda column, chunk=chunk: column.in_(chunk))
    return len(stale)


def rebuild(connection=None) -> None:
    """Every ticket's facts from scratch (after a bulk load that bypassed the triggers; the migration's
    backfill, on its connection)."""
    execute = connection.execute if connection is not None else db.session.execute
    dialect = (connection or db.session.get_bind()).dialect.name
    if dialect == 'postgresql':
        execute(sa.text('SELECT pg_advisory_xact_lock(:key)'), {'key': LOCK_KEY})
    execute(sa.delete(StaleTicket.__table__))
    execute(sa.delete(ReportFact.__table__))
    _write(lambda column: sa.true(), execute)

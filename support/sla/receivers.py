"""How SLA follows tickets and calendars (inside the sender's transaction)."""
from ..calendars.signals import calendar_changed
from ..core import jobs
from ..core.clock import utcnow
from ..core.extensions import db
from ..core.transactions import after_commit
from ..tickets.models import MessageKind
from ..tickets.signals import message_added, ticket_opening, ticket_updated
from . import clocks

REPLAN_FIELDS = frozenset({'priority', 'product', 'tags', 'channel', 'language'})


@ticket_opening.connect
def _on_ticket_opening(ticket, **kwargs):
    clocks.start_at_opening(ticket)


@message_added.connect
def _on_message_added(ticket, message, **kwargs):
    if message.kind == MessageKind.outbound and message.author_agent_id is not None:
        clocks.agent_replied(ticket, message.created_at)
    elif message.kind == MessageKind.inbound:
        clocks.customer_wrote(ticket, message.created_at)


@ticket_updated.connect
def _on_ticket_updated(ticket, changes, **kwargs):
    if 'status' in changes:
        clocks.status_changed(ticket, *changes['status'], utcnow())
    if REPLAN_FIELDS.intersection(changes):
        clocks.replan(ticket)


@calendar_changed.connect
def _on_calendar_changed(calendar_id, times_changed=True, **kwargs):
    """Re-plan, in a job, the open tickets of every client with a policy on this calendar."""
    if times_changed:
        after_commit(db.session, jobs.enqueue, 'sla.replan_calendar', calendar_id)

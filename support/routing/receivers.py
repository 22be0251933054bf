"""How routing reacts to other domains' signals (all inside the sender's transaction)."""
import sqlalchemy as sa

from ..agents.presence import Presence
from ..agents.signals import presence_changed, skills_changed
from ..channels.signals import customer_left
from ..core.extensions import db
from ..sla.signals import clock_stopped, deadlines_changed, sla_breached, sla_warning
from ..tickets.models import MessageKind
from ..tickets.signals import message_added, ticket_created, ticket_updated
from . import operations, settings
from .models import RoutingItem
from .signals import queue_changed

MIN_SWITCH_LENGTH = 20  # shorter messages say too little to trust a language change


@ticket_created.connect
def _on_ticket_created(ticket, **kwargs):
    operations.enqueue(ticket)


@ticket_updated.connect
def _on_ticket_updated(ticket, changes, actor=None, **kwargs):
    if 'status' in changes:
        operations.on_status_changed(ticket, *changes['status'], actor=actor)
    if 'priority' in changes or 'product' in changes:
        item = operations.item_for(ticket)
        _copy_attributes(item, ticket)


def _copy_attributes(item: RoutingItem, ticket) -> None:
    item.sort_priority = operations.PRIORITY_SORT[ticket.priority.value]
    item.product = ticket.product
    queue_changed.send(item.queue_id)


@customer_left.connect
def _on_customer_left(ticket, at, **kwargs):
    operations.abandon(ticket, at)


@message_added.connect
def _on_message_added(ticket, message, actor=None, **kwargs):
    if message.kind == MessageKind.inbound and ticket.abandoned_at is not None:
        operations.customer_returned(ticket)
    if (message.kind == MessageKind.inbound and message.language and message.language != ticket.language
            and len(message.body or '') >= MIN_SWITCH_LENGTH and settings.reroute_on_language()):
        operations.switch_language(ticket, message.language, actor or operations.SYSTEM)


@presence_changed.connect
def _on_presence_changed(state, before, **kwargs):
    if state.status == Presence.available:
        operations.after_commit_pull(state.agent_id)
    elif before == Presence.available:
        operations.cancel_offers_of(state.agent_id)
    queue_changed.send(None)


@skills_changed.connect
def _on_skills_changed(agent, fields, **kwargs):
    operations.after_commit_pull(agent.id)
    queue_changed.send(None)


@deadlines_changed.connect
def _on_deadlines_changed(ticket, routing_due, **kwargs):
    """The ticket closest to breaking its SLA is served first; one whose clocks all stand still, last."""
    operations.set_due(ticket.id, routing_due)


@sla_breached.connect
def _on_breached(clock, ticket, policy=None, **kwargs):
    if policy is not None and policy.breach_escalation:
        operations.escalate_to(ticket, policy.breach_escalation)
    _queue_of_ticket_changed(ticket)


@sla_warning.connect
@clock_stopped.connect
def _on_clock_event(clock, ticket, **kwargs):
    _queue_of_ticket_changed(ticket)


def _queue_of_ticket_changed(ticket) -> None:
    queue_id = db.session.scalar(sa.select(RoutingItem.queue_id).where(RoutingItem.ticket_id == ticket.id))
    if queue_id is not None:
        queue_changed.send(queue_id)

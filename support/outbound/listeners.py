"""Turns ticket signals into outbox items (replies, acknowledgements) and webhook deliveries,
all in the transaction that made the change.

``ticket.assigned`` follows routing's ``ticket_routed`` signal (event "assigned"), and also
``ticket_updated`` with an ``assignee``/``assignee_id`` change should anything report one so.
"""
from sqlalchemy.orm import object_session

from ..clients.signals import endpoint_disabled
from ..clients.webhook_models import WebhookEvent
from ..clients.webhooks import enqueue_event, subscribed_to
from ..core.extensions import db
from ..core.transactions import after_commit
from ..sla.signals import sla_breached, sla_warning
from ..sla.views import clock_entry
from ..tickets.models import MessageKind
from ..tickets.signals import message_added, ticket_created, ticket_updated
from . import operations, tasks
from .callbacks import actor_data, message_data, ticket_data

ASSIGNEE_KEYS = ('assignee', 'assignee_id')


@endpoint_disabled.connect
def _on_endpoint_disabled(subscription, session=None, **kwargs):
    """No other endpoint of the client can be told: e-mail its contact once the disable commits."""
    after_commit(session or db.session, tasks.notify_endpoint_disabled, subscription.id)


def _session(ticket):
    return object_session(ticket) or db.session


def _emit(session, ticket, event: WebhookEvent, **data) -> None:
    enqueue_event(session, ticket.client_id, event, {'ticket': ticket_data(ticket), **data},
                  send_job=tasks.deliver_webhook)


@ticket_created.connect
def _on_ticket_created(ticket, message=None, actor=None, **kwargs):
    session = _session(ticket)
    operations.acknowledge(session, ticket, send_job=tasks.send_outbox)
    if subscribed_to(session, ticket.client_id, WebhookEvent.ticket_created):
        _emit(session, ticket, WebhookEvent.ticket_created,
              message=message_data(message) if message is not None else None, actor=actor_data(actor))


@ticket_updated.connect
def _on_ticket_updated(ticket, changes=None, actor=None, **kwargs):
    session, changes = _session(ticket), changes or {}
    if 'status' in changes:
        before, after = changes['status']
        _emit(session, ticket, WebhookEvent.ticket_status_changed,
              changes={'status': {'before': before, 'after': after}}, actor=actor_data(actor))
    if 'fields' in changes and subscribed_to(session, ticket.client_id, WebhookEvent.ticket_fields_changed):
        before, after = changes['fields']
        _emit(session, ticket, WebhookEvent.ticket_fields_changed,
              changes={'fields': {'before': before, 'after': after}}, actor=actor_data(actor))
    key = next((k for k in ASSIGNEE_KEYS if k in changes), None)
    if key is not None:
        before, after = changes[key]
        _emit(session, ticket, WebhookEvent.ticket_assigned,
              changes={'assignee_id': {'before': _agent_id(before), 'after': _agent_id(after)}},
              actor=actor_data(actor))


def _agent_id(value):
    if isinstance(value, dict):
        return value.get('id')
    return getattr(value, 'id', value)


def _on_ticket_routed(ticket, event=None, extra=None, **kwargs):
    if event != 'assigned':
        return
    extra = extra or {}
    _emit(_session(ticket), ticket, WebhookEvent.ticket_assigned,
          changes={'assignee_id': {'before': extra.get('previous_agent_id'), 'after': extra.get('agent_id')}},
          via=extra.get('via'), actor=None)


@sla_warning.connect
def _on_sla_warning(clock, ticket, policy=None, **kwargs):
    _emit(_session(ticket), ticket, WebhookEvent.sla_warning, sla=clock_entry(clock, policy))


@sla_breached.connect
def _on_sla_breached(clock, ticket, policy=None, **kwargs):
    _emit(_session(ticket), ticket, WebhookEvent.sla_breached, sla=clock_entry(clock, policy))


try:  # routing reports assignments with its own signal (it does not send ticket_updated for them)
    from ..routing.signals import ticket_routed
except ImportError:
    ticket_routed = None
if ticket_routed is not None:
    ticket_routed.connect(_on_ticket_routed)


@message_added.connect
def _on_message_added(ticket, message=None, actor=None, **kwargs):
    if message is None or message.kind == MessageKind.note:
        return  # internal notes stay inside the center
    session = _session(ticket)
    if message.kind == MessageKind.outbound:
        operations.queue_reply(session, ticket, message, send_job=tasks.send_outbox)
    if subscribed_to(session, ticket.client_id, WebhookEvent.message_created):
        _emit(session, ticket, WebhookEvent.message_created, message=message_data(message),
              actor=actor_data(actor))

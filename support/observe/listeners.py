"""Counters of committed facts: each receiver reads its labels inside the transaction (the rows
are at hand there) and counts once that transaction commits; a rollback counts nothing."""
from sqlalchemy.orm import object_session

from ..clients.signals import delivery_attempted
from ..core import metrics
from ..core.extensions import db
from ..core.transactions import after_commit
from ..routing.signals import offer_changed
from ..sla.signals import sla_breached, sla_warning
from ..tickets.models import MessageKind
from ..tickets.signals import message_added, ticket_created


def _count_after_commit(session, counter, *labels) -> None:
    after_commit(session or db.session, _inc, counter, labels)


def _inc(counter, labels) -> None:
    counter.labels(*labels).inc()


def _client_slug(ticket) -> str:
    client = ticket.client
    return client.slug if client is not None else str(ticket.client_id)


@ticket_created.connect
def _on_ticket_created(ticket, message=None, **kwargs):
    if message is not None and message.kind == MessageKind.inbound:
        _count_after_commit(object_session(ticket), metrics.INTAKE, _client_slug(ticket), ticket.channel.value,
                            'ticket')


@message_added.connect
def _on_message_added(ticket, message=None, **kwargs):
    if message is not None and message.kind == MessageKind.inbound:
        _count_after_commit(object_session(ticket), metrics.INTAKE, _client_slug(ticket), ticket.channel.value,
                            'message')


@offer_changed.connect
def _on_offer_changed(offer, event=None, **kwargs):
    _count_after_commit(object_session(offer), metrics.OFFERS, event or 'unknown', offer.channel)


@sla_warning.connect
def _on_sla_warning(clock, ticket=None, **kwargs):
    _count_after_commit(object_session(ticket), metrics.SLA_WARNINGS, _client_slug(ticket), clock.metric.value)


@sla_breached.connect
def _on_sla_breached(clock, ticket=None, **kwargs):
    _count_after_commit(object_session(ticket), metrics.SLA_BREACHES, _client_slug(ticket), clock.metric.value)


@delivery_attempted.connect
def _on_delivery_attempted(row, session=None, kind=None, transport=None, result=None, **kwargs):
    _count_after_commit(session, metrics.OUTBOUND, kind, transport, result)

"""SLA warnings and breaches as live events: ``sla.warning`` / ``sla.breached`` to supervisors
and the ticket's assignee (queued until the transaction commits)."""
from ..core.extensions import db
from ..core.live import agent_room, publish, supervisor_rooms
from ..sla.signals import sla_breached, sla_warning
from ..sla.views import clock_entry
from ..tickets.payloads import ticket_summary


def _publish(name: str, clock, ticket, policy) -> None:
    rooms = supervisor_rooms(ticket.client_id) + ([agent_room(ticket.assignee_id)] if ticket.assignee_id else [])
    publish(db.session, name, {'ticket': ticket_summary(ticket), 'clock': clock_entry(clock, policy)}, rooms)


@sla_warning.connect
def _on_warning(clock, ticket, policy=None, **kwargs):
    _publish('sla.warning', clock, ticket, policy)


@sla_breached.connect
def _on_breached(clock, ticket, policy=None, **kwargs):
    _publish('sla.breached', clock, ticket, policy)

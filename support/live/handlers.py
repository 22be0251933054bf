"""Turns domain signals into live events (queued until the transaction commits)."""
from ..core.extensions import db
from ..core.live import agent_room, publish, supervisor_rooms
from ..tickets.signals import ticket_created, ticket_updated
from ..tickets.payloads import ticket_summary
from . import routing_events  # noqa: F401,E402  (routing and presence events)
from . import channel_events  # noqa: F401,E402  (call.updated)
from . import sla_events  # noqa: F401,E402  (sla.warning, sla.breached)
from . import wrapup_events  # noqa: F401,E402  (wrapup.started, wrapup.ended)
from . import csat_events  # noqa: F401,E402  (csat.received, csat.sent)


def _rooms_for(ticket) -> list[str]:
    rooms = supervisor_rooms(ticket.client_id)
    if ticket.assignee_id:
        rooms.append(agent_room(ticket.assignee_id))
    return rooms


@ticket_created.connect
def _on_ticket_created(ticket, **kwargs):
    publish(db.session, 'ticket.created', ticket_summary(ticket), supervisor_rooms(ticket.client_id))


@ticket_updated.connect
def _on_ticket_updated(ticket, changes, **kwargs):
    payload = ticket_summary(ticket)
    payload['changes'] = {name: {'before': before, 'after': after} for name, (before, after) in changes.items()}
    publish(db.session, 'ticket.updated', payload, _rooms_for(ticket))

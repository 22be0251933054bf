"""Call progress as live events: ``call.updated`` to supervisors and the ticket's assignee."""
from ..channels.schemas import CallLogSchema
from ..channels.signals import call_updated
from ..core.extensions import db
from ..core.live import agent_room, publish, supervisor_rooms
from ..tickets.payloads import ticket_summary


@call_updated.connect
def _on_call_updated(call, ticket, event, **kwargs):
    rooms = supervisor_rooms(ticket.client_id) + ([agent_room(ticket.assignee_id)] if ticket.assignee_id else [])
    payload = {'event': event.value, 'call': CallLogSchema().dump(call), 'ticket': ticket_summary(ticket)}
    publish(db.session, 'call.updated', payload, rooms)

"""Live event for new messages, so consoles can mark tickets unread and refresh an open thread.

``message.created``: the ticket summary plus ``message`` ``{id, kind, author_type, created_at}``
(no body: receivers fetch the ticket), to the assignee's room and the supervisors.
"""
from ..core.extensions import db
from ..core.live import agent_room, publish, supervisor_rooms
from ..tickets.payloads import ticket_summary
from ..tickets.signals import message_added


@message_added.connect
def _on_message_added(ticket, message, **kwargs):
    payload = ticket_summary(ticket)
    payload['message'] = {'id': message.id, 'kind': message.kind.value,
                          'author_type': 'agent' if message.author_agent_id else 'customer',
                          'created_at': message.created_at.isoformat()}
    rooms = supervisor_rooms(ticket.client_id) + ([agent_room(ticket.assignee_id)] if ticket.assignee_id else [])
    publish(db.session, 'message.created', payload, rooms)

"""Chat gateway: ``POST /api/v1/channels/chat/messages`` and ``/chat/left``, signed like intake
(``X-Support-Key/Timestamp/Signature`` with the client's key).

One open ticket per conversation; the visitor's later messages append to it. The
gateway's ``message_id`` makes a retry change nothing. ``/chat/left`` says the visitor
closed the conversation: a chat nobody accepted yet is abandoned (a retry changes nothing).
"""
from datetime import timezone

from flask import g

from ..clients.auth import DEDUPLICATED, signed_client
from ..core.clock import utcnow
from ..core.extensions import db
from ..tickets.models import Channel, Ticket
from ..tickets.operations import CustomerContact, lock_ticket
from .operations import InboundMessage, lock_thread, receive
from .schemas import ChatLeftResultSchema, ChatLeftSchema, ChatMessageSchema, InboundReceiptSchema
from .signals import customer_left


def to_inbound(data: dict) -> InboundMessage:
    visitor = data['visitor']
    contact = CustomerContact(name=visitor.get('name'), email=visitor.get('email'), phone=visitor.get('phone'),
                              handle=f"chat:{visitor['id']}")
    return InboundMessage(channel=Channel.chat, namespace='chat', external_id=data['message_id'],
                          body=data['text'], subject=data.get('subject'), language=data.get('language'),
                          thread_key=f"chat:{data['conversation_id']}", customer=contact,
                          fields=data.get('custom_fields') or {})


def register(blp):
    @blp.route('/chat/messages', methods=['POST'])
    @signed_client(replays=DEDUPLICATED)
    @blp.arguments(ChatMessageSchema)
    @blp.response(201, InboundReceiptSchema)
    @blp.alt_response(200, schema=InboundReceiptSchema, description='A retry of a message already taken')
    def chat_message(data):
        """A visitor's chat message: appends to the conversation's open ticket or opens one."""
        receipt = receive(g.client, to_inbound(data))
        result = {'status': 'duplicate' if receipt.duplicate else 'accepted',
                  'ticket': receipt.ticket.number if receipt.ticket else None,
                  'message_id': receipt.message.id if receipt.message else None}
        db.session.commit()  # after reading what the answer needs: nothing is reloaded
        return result, 200 if receipt.duplicate else 201

    @blp.route('/chat/left', methods=['POST'])
    @signed_client(replays=DEDUPLICATED)
    @blp.arguments(ChatLeftSchema)
    @blp.response(200, ChatLeftResultSchema)
    def chat_left(data):
        """The visitor left the conversation; a chat no agent accepted yet becomes abandoned and its offer
        is withdrawn."""
        ticket = visitor_left(g.client.id, data['conversation_id'], data.get('left_at') or utcnow())
        db.session.commit()
        return {'ticket': ticket.number if ticket else None,
                'abandoned': bool(ticket and ticket.abandoned_at),
                'abandoned_at': ticket.abandoned_at if ticket else None}

    return chat_message, chat_left


def visitor_left(client_id: int, conversation_id: str, at) -> Ticket | None:
    """The conversation's ticket (None when there is none), after ``customer_left`` was sent for it."""
    thread = lock_thread(client_id, f'chat:{conversation_id}')
    ticket = lock_ticket(thread.ticket_id) if thread.ticket_id else None
    if ticket is not None and ticket.channel == Channel.chat:
        customer_left.send(ticket, at=min(at.astimezone(timezone.utc), utcnow()), channel='chat')
    return ticket

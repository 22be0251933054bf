"""Chat gateway: ``POST /api/v1/channels/chat/messages``, signed like intake
(``X-Support-Key/Timestamp/Signature`` with the client's key).

One open ticket per conversation; the visitor's later messages append to it. The
gateway's ``message_id`` makes a retry change nothing.
"""
from flask import g

from ..clients.auth import DEDUPLICATED, signed_client
from ..core.extensions import db
from ..tickets.models import Channel
from ..tickets.operations import CustomerContact
from .operations import InboundMessage, receive
from .schemas import ChatMessageSchema, InboundReceiptSchema


def to_inbound(data: dict) -> InboundMessage:
    visitor = data['visitor']
    contact = CustomerContact(name=visitor.get('name'), email=visitor.get('email'), phone=visitor.get('phone'),
                              handle=f"chat:{visitor['id']}")
    return InboundMessage(channel=Channel.chat, namespace='chat', external_id=data['message_id'],
                          body=data['text'], subject=data.get('subject'), language=data.get('language'),
                          thread_key=f"chat:{data['conversation_id']}", customer=contact)


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

    return chat_message

"""Replies on chat, social, SMS, WhatsApp, phone (and web when configured): a signed JSON POST
to the reply endpoint the client configured for that channel (its own system or a provider API URL)."""
import uuid

from ..clients import webhooks


def document(ticket, message, kind: str, subject: str, body: str) -> dict:
    """The JSON sent for one outbound message; the receiver finds the customer by their identities."""
    customer = ticket.customer
    author = message.author_agent
    return {
        'id': 'out_' + uuid.uuid4().hex,
        'type': kind,
        'ticket': {'id': ticket.id, 'number': ticket.number, 'channel': ticket.channel.value,
                   'subject': ticket.subject, 'language': ticket.language, 'external_id': ticket.external_id},
        'customer': {'id': customer.id, 'name': customer.name, 'email': customer.email, 'phone': customer.phone,
                     'handle': customer.handle,
                     'identities': [{'kind': i.kind, 'value': i.value} for i in customer.identities]},
        'message': {'id': message.id, 'subject': subject, 'body': body, 'language': message.language,
                    'created_at': message.created_at.isoformat(),
                    'author': {'type': 'agent', 'id': author.id, 'name': author.name} if author
                    else {'type': 'system', 'id': None, 'name': None}},
    }


def send(url: str | None, document: dict, key_id: str | None, secret: str | None) -> tuple[str | None, bool]:
    """POST it signed; ``(error, permanent)``. A 4xx other than 408/429 will not get better by retrying."""
    if url is None:
        return 'the reply endpoint was removed', False
    if key_id is None:
        return 'the client has no active key to sign with', False
    result = webhooks.post_signed(url, webhooks.encode(document), key_id, secret,
                                  {'X-Support-Delivery': document['id'], 'X-Support-Event': 'message.reply'})
    if result.ok:
        return None, False
    code = result.status_code
    return result.error, code is not None and 400 <= code < 500 and code not in (408, 429)

"""Replies on chat, social, SMS, WhatsApp, phone (and web when configured): a POST to the reply
endpoint the client configured for that channel. Three formats:

- ``signed_json``: our JSON document, signed like intake (the client's own system or gateway);
- ``twilio``: Twilio's Messages API (``To``/``From``/``Body`` form, HTTP Basic auth with the
  Account SID and auth token); WhatsApp numbers get the ``whatsapp:`` prefix;
- ``meta``: Meta's Send API (``{"recipient": {"id"}, "messaging_type": "RESPONSE",
  "message": {"text"}}``, bearer page access token); the recipient is the Messenger or
  Instagram id the Meta adapter stored as the customer's handle (``messenger:<id>``).
"""
import time
import uuid
from dataclasses import dataclass

import requests

from ..clients import webhooks
from ..core import requestid
from .models import EndpointFormat


@dataclass
class Endpoint:
    url: str
    format: EndpointFormat
    account: str | None = None
    secret: str | None = None
    sender: str | None = None


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


def send(endpoint: Endpoint | None, document: dict, key_id: str | None, secret: str | None) -> tuple[str | None, bool]:
    """POST it in the endpoint's format; ``(error, permanent)``. A 4xx other than 408/429 will not
    get better by retrying."""
    if endpoint is None:
        return 'the reply endpoint was removed', False
    if endpoint.format == EndpointFormat.twilio:
        result = _twilio(endpoint, document)
    elif endpoint.format == EndpointFormat.meta:
        result = _meta(endpoint, document)
    elif key_id is None:
        return 'the client has no active key to sign with', False
    else:
        result = webhooks.post_signed(endpoint.url, webhooks.encode(document), [secret],
                                      {'X-Support-Key': key_id, 'X-Support-Delivery': document['id'],
                                       'X-Support-Event': 'message.reply'})
    if result.ok:
        return None, False
    code = result.status_code
    return result.error, code is not None and 400 <= code < 500 and code not in (408, 429)


def _twilio(endpoint: Endpoint, document: dict) -> webhooks.PostResult:
    phones = [i['value'] for i in document['customer']['identities'] if i['kind'] == 'phone']  # E.164
    phone = phones[0] if phones else document['customer']['phone']
    if not phone:
        return webhooks.PostResult(False, 400, 'the customer has no phone number', 0)
    whatsapp = document['ticket']['channel'] == 'whatsapp'
    to, sender = (f'whatsapp:{phone}', _whatsapp(endpoint.sender)) if whatsapp else (phone, endpoint.sender)
    form = {'To': to, 'From': sender, 'Body': document['message']['body']}
    return _post(endpoint.url, data=form, auth=(endpoint.account or '', endpoint.secret or ''))


def _whatsapp(number: str | None) -> str:
    number = number or ''
    return number if number.startswith('whatsapp:') else f'whatsapp:{number}'


def _meta(endpoint: Endpoint, document: dict) -> webhooks.PostResult:
    handle = document['customer']['handle'] or ''
    recipient = handle.split(':', 1)[1] if ':' in handle else handle
    if not recipient:
        return webhooks.PostResult(False, 400, 'the customer has no Messenger or Instagram id', 0)
    body = {'recipient': {'id': recipient}, 'messaging_type': 'RESPONSE',
            'message': {'text': document['message']['body']}}
    return _post(endpoint.url, json=body, headers={'Authorization': f'Bearer {endpoint.secret or ""}'})


def _post(url: str, **kwargs) -> webhooks.PostResult:
    started = time.monotonic()
    try:
        webhooks.check_destination(url, resolve=True)
        response = requests.post(url, allow_redirects=False, timeout=webhooks.setting('SUPPORT_OUTBOUND_TIMEOUT'),
                                 headers={'User-Agent': webhooks.USER_AGENT, **requestid.outgoing_headers(),
                                          **kwargs.pop('headers', {})},
                                 **kwargs)
    except webhooks.ValidationFailed:
        return webhooks.PostResult(False, None, 'destination refused: private or local address', 0)
    except requests.RequestException as exc:
        return webhooks.PostResult(False, None, f'{type(exc).__name__}: {exc}'[:500], 0)
    ok = 200 <= response.status_code < 300
    detail = '' if ok else f': {(response.text or "")[:200]}'
    return webhooks.PostResult(ok, response.status_code, None if ok else f'HTTP {response.status_code}{detail}',
                               int((time.monotonic() - started) * 1000))

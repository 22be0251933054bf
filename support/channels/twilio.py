"""Twilio Messaging webhooks, SMS and WhatsApp: ``POST /api/v1/channels/twilio``.

``X-Twilio-Signature`` is the base64 HMAC-SHA1, keyed with the account's auth
token, of the full URL Twilio requested followed by every POST parameter sorted
by name, as ``name + value``. Behind a proxy the URL we see differs from the one
Twilio signed, so a configured public URL is used instead. We answer with empty
TwiML: replies go out through the API, not in the webhook response.
"""
import base64
import hashlib
import hmac
from urllib.parse import urlsplit, urlunsplit

from flask import Response, g, request

from ..core.config import setting
from ..core.errors import ApiError, Unauthorized, ValidationFailed
from ..core.extensions import db
from ..core.http import accepts
from ..core.i18n import _
from ..tickets.models import Channel
from ..tickets.operations import CustomerContact
from .config import config_for_address, normalise_address
from .models import AddressKind, ChannelConfig, Provider
from .operations import InboundMessage, receive
from .webhooks import BadSignature, provider_signed

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
MAX_MEDIA = 10


def twilio_signature(auth_token: str, url: str, params) -> str:
    """What Twilio puts in ``X-Twilio-Signature`` for ``url`` and the POST ``params``."""
    payload = url
    for name in sorted(set(params.keys())):
        for value in sorted(set(params.getlist(name))):
            payload += name + value
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signed_urls(config: ChannelConfig) -> list[str]:
    """The URL Twilio signed: the configured public one, else what we were asked;
    with and without the default port, as Twilio's own validator tries."""
    base = setting('SUPPORT_PUBLIC_URL')
    if config.public_url:
        url = config.public_url
    elif base:
        url = base.rstrip('/') + request.full_path.rstrip('?')
    else:
        url = request.url
    parts = urlsplit(url)
    port = {'https': 443, 'http': 80}.get(parts.scheme)
    if parts.port:
        other = parts._replace(netloc=parts.hostname + ('' if parts.port == port else f':{parts.port}'))
    else:
        other = parts._replace(netloc=f'{parts.hostname}:{port}')
    return [url, urlunsplit(other)]


def verify_twilio() -> ChannelConfig:
    form = request.form
    signature = request.headers.get('X-Twilio-Signature', '')
    if not signature:
        raise Unauthorized(_('Twilio posts carry an X-Twilio-Signature header.'), code='signature_missing')
    config = config_for_address(Provider.twilio, form.get('To', ''))
    if config is None:
        raise ApiError(_('No client receives messages at {number}.').format(number=form.get('To', '-')[:40]),
                       status=404, code='unknown_number')
    if not any(hmac.compare_digest(twilio_signature(config.secret, url, form).encode(), signature.encode())
               for url in signed_urls(config)):
        raise BadSignature(_('X-Twilio-Signature does not match the auth token and URL of this number.'))
    if config.account_sid and form.get('AccountSid') != config.account_sid:
        raise BadSignature(_('This message belongs to another Twilio account.'), code='account_mismatch')
    return config


def parse_message(form) -> InboundMessage:
    sender = form.get('From', '')
    channel = Channel.whatsapp if sender.startswith('whatsapp:') else Channel.sms
    phone = normalise_address(AddressKind.phone, sender)
    sid = form.get('MessageSid') or form.get('SmsMessageSid') or form.get('SmsSid')
    if phone is None or not sid or len(sid) > 64:
        raise ValidationFailed(fields={name: [_('Missing or not valid.')] for name, ok in
                                       (('From', phone), ('MessageSid', sid and len(sid) <= 64)) if not ok})
    body = _body(form)
    if not body:
        raise ValidationFailed(fields={'Body': [_('A message needs text or media.')]})
    name = (form.get('ProfileName') or '').strip()[:200] or None
    return InboundMessage(channel=channel, namespace='twilio', external_id=sid, body=body,
                          thread_key=f'{channel.value}:{phone}', customer=CustomerContact(name=name, phone=phone))


def _body(form) -> str:
    lines = [form.get('Body', '')]
    try:
        count = min(int(form.get('NumMedia') or 0), MAX_MEDIA)
    except ValueError:
        count = 0
    if form.get('Latitude') and form.get('Longitude'):  # a WhatsApp location
        place = f"{form['Latitude'][:20]},{form['Longitude'][:20]} {form.get('Address', '')[:200]}"
        lines.append(f'[location] {place}'.strip())
    for i in range(count):
        url = form.get(f'MediaUrl{i}')
        if url:
            lines.append(f"[{form.get(f'MediaContentType{i}', 'media')}] {url}")
    return '\n'.join(line for line in lines if line).replace('\x00', '').strip()[:20000]


def register(blp):
    @blp.route('/twilio', methods=['POST'])
    @provider_signed('twilio', verify_twilio)
    @accepts('application/x-www-form-urlencoded')
    @blp.doc(requestBody={'content': {'application/x-www-form-urlencoded': {'schema': {'type': 'object'}}}})
    @blp.response(200, {'type': 'string'}, content_type='text/xml')
    def twilio_inbound():
        """Twilio SMS and WhatsApp messages (``From: whatsapp:+...`` marks WhatsApp); answers empty TwiML."""
        receive(g.client, parse_message(request.form))
        db.session.commit()
        return Response(EMPTY_TWIML, mimetype='text/xml')

    return twilio_inbound

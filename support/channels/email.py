"""Mailgun inbound routes: ``POST /api/v1/channels/mailgun`` (a route's ``forward()`` URL).

Mailgun signs ``timestamp + token`` with the account's HTTP webhook signing key.
Answers: 200 accepted (or already had it), 401 unsigned or forged (Mailgun
retries), 406 for a message we will never take (Mailgun stops retrying).
"""
import hashlib
import json
import re
import time
from html import unescape
from email.header import decode_header, make_header
from email.utils import getaddresses, parseaddr

from flask import g, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..core.config import setting
from ..core.errors import Unauthorized
from ..core.extensions import db
from ..core.http import accepts
from ..core.i18n import _
from ..tickets.models import Channel
from ..tickets.operations import CustomerContact
from .attachments import check_files
from .config import config_for_address, normalise_address
from .forms import parse_form
from .models import AddressKind, ChannelConfig, Provider
from .operations import InboundMessage, receive, ticket_number_in, use_nonce
from .webhooks import Rejected, hmac_hex, provider_signed, same

MAX_BODY_CHARS = 100_000
MAX_REFERENCES = 20   # the In-Reply-To and the newest references are what thread
_MESSAGE_ID = re.compile(r'<([^<>\s]{1,900})>')
_CONTROL = re.compile(r'[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')
_TAG = re.compile(r'<[^>]*>')
_HIDDEN = re.compile(r'<(script|style|head)\b.*?</\1\s*>', re.I | re.S)
_BREAK = re.compile(r'<\s*(br|/p|/div|/li|/tr|/h\d)\b[^>]*>', re.I)


def read_form():
    """Parse the post once per request, size-limited for attachments."""
    if 'support.mailgun_form' not in request.environ:
        request.max_content_length = setting('SUPPORT_EMAIL_MAX_BYTES', 30 * 1024 * 1024)
        try:
            body = request.get_data(cache=True)
        except RequestEntityTooLarge:
            raise Rejected(_('The message is larger than {size} MB.').format(
                size=request.max_content_length // (1024 * 1024)), code='message_too_large') from None
        request.environ['support.mailgun_form'] = parse_form(request.headers.get('Content-Type', ''), body)
    return request.environ['support.mailgun_form']


def verify_mailgun() -> ChannelConfig:
    """The recipient's configuration, once the signature, timestamp and token check out."""
    fields, _files = read_form()
    timestamp, token, signature = (fields.get(k, '') for k in ('timestamp', 'token', 'signature'))
    if not (timestamp and token and signature):
        raise Unauthorized(_('Mailgun posts carry timestamp, token and signature fields.'),
                           code='signature_missing')
    config = _recipient_config(fields.get('recipient', ''))
    expected = hmac_hex(config.secret, (timestamp + token).encode())
    if not timestamp.isdigit() or len(timestamp) > 12 or not same(expected, signature):
        raise Unauthorized(_('The signature does not match the signing key of this address.'),
                           code='signature_invalid')
    tolerance = setting('SUPPORT_MAILGUN_TOLERANCE', 300)
    if abs(time.time() - int(timestamp)) > tolerance:
        raise Unauthorized(_('The timestamp is more than {seconds} seconds away from our clock.').format(
            seconds=tolerance), code='timestamp_out_of_window')
    return config


def _recipient_config(recipient: str) -> ChannelConfig:
    for _name, address in getaddresses([recipient]):
        config = config_for_address(Provider.mailgun, address)
        if config is not None:
            return config
    raise Rejected(_('No client receives email at {address}.').format(address=recipient[:254] or '-'),
                   code='unknown_recipient')


def parse_email(fields, files) -> InboundMessage:
    """The normalised message of a Mailgun post (files already checked)."""
    headers = _headers(fields.get('message-headers'))
    name, address = parseaddr(_decoded(fields.get('from') or headers.get('from') or ''))
    email_address = normalise_address(AddressKind.email, address) or normalise_address(
        AddressKind.email, fields.get('sender', ''))
    if email_address is None:
        raise Rejected(_('The sender address is missing or not valid.'), code='malformed_form')
    if config_for_address(Provider.mailgun, email_address) is not None:
        raise Rejected(_('The sender is one of our own receiving addresses; refused to avoid a mail loop.'),
                       code='mail_loop')
    subject = ' '.join(_decoded(fields.get('subject') or headers.get('subject') or '').split())[:300]
    body = _body(fields)
    if not body.strip() and not files:
        raise Rejected(_('The message has no text and no attachments.'), code='empty_message')
    message_id = _first_id(fields.get('Message-Id') or headers.get('message-id'))
    references = _ids(fields.get('In-Reply-To') or headers.get('in-reply-to'))
    references += [ref for ref in reversed(_ids(fields.get('References') or headers.get('references')))
                   if ref not in references]
    return InboundMessage(
        channel=Channel.email, namespace='email', external_id=message_id or _fingerprint(fields),
        body=body, subject=subject or None, references=references[:MAX_REFERENCES], ticket_number=ticket_number_in(subject),
        customer=CustomerContact(name=name.strip()[:200] or None, email=email_address), attachments=files,
        may_open=not is_automatic(headers))


def is_automatic(headers: dict) -> bool:
    """An auto-reply or bulk mail (RFC 3834 and common practice): it must not open tickets,
    or an out-of-office answering our acknowledgement could loop."""
    return (headers.get('auto-submitted', 'no').strip().lower() != 'no'
            or headers.get('precedence', '').strip().lower() in ('bulk', 'junk', 'list', 'auto_reply')
            or 'x-autoreply' in headers or 'x-autorespond' in headers)


def _headers(raw: str | None) -> dict:
    """Mailgun's ``message-headers``: a JSON list of ``[name, value]`` pairs."""
    try:
        pairs = json.loads(raw or '[]')
        return {str(k).lower(): str(v) for k, v in pairs if isinstance(k, str)} if isinstance(pairs, list) else {}
    except (ValueError, TypeError):
        return {}


def _decoded(value: str) -> str:
    """RFC 2047 encoded words (``=?ISO-8859-1?Q?...?=``) as text."""
    if '=?' not in value:
        return value
    try:
        return str(make_header(decode_header(value)))
    except (ValueError, LookupError, UnicodeDecodeError):
        return value


def _body(fields) -> str:
    text = fields.get('stripped-text') or fields.get('body-plain') or ''
    if not text.strip() and fields.get('body-html'):
        text = html_to_text(fields.get('stripped-html') or fields['body-html'])
    if '\x00' in text:
        raise Rejected(_('The message text contains binary data.'), code='binary_body')
    text = _CONTROL.sub('', text.replace('\r\n', '\n')).strip()
    if len(text) > MAX_BODY_CHARS:
        raise Rejected(_('The message text is longer than {count} characters.').format(count=MAX_BODY_CHARS),
                       code='body_too_long')
    return text


def html_to_text(markup: str) -> str:
    """Readable text of an HTML-only email: no scripts or styles, line breaks kept, entities decoded."""
    markup = _HIDDEN.sub(' ', markup)
    markup = _BREAK.sub('\n', markup)
    lines = (' '.join(unescape(line).split()) for line in _TAG.sub(' ', markup).splitlines())
    return '\n'.join(line for line in lines if line)


def _ids(value: str | None) -> list[str]:
    return _MESSAGE_ID.findall(value or '')


def _first_id(value: str | None) -> str | None:
    found = _ids(value)
    return found[0] if found else ((value or '').strip() or None)


def _fingerprint(fields) -> str:
    """A stable id for a message without Message-Id, so its retries still dedupe."""
    parts = [fields.get(k, '') for k in ('from', 'recipient', 'subject', 'body-plain')]
    return 'sha256:' + hashlib.sha256('\x1f'.join(parts).encode()).hexdigest()


def register(blp):
    @blp.route('/mailgun', methods=['POST'])
    @provider_signed('mailgun', verify_mailgun)
    @accepts('multipart/form-data', 'application/x-www-form-urlencoded')
    @blp.doc(requestBody={'content': {'multipart/form-data': {'schema': {'type': 'object'}}}})
    @blp.response(200)
    def mailgun_inbound():
        """Mailgun inbound email (a route's forward URL), signed with the account's webhook signing key."""
        fields, files = read_form()
        if not use_nonce('mailgun', fields['token'][:128]):
            raise Rejected(_('This token was already used; the message was received before.'), code='replayed')
        inbound = parse_email(fields, check_files([item for _name, item in files]))
        receipt = receive(g.client, inbound)
        status = 'duplicate' if receipt.duplicate else 'accepted' if receipt.ticket else 'ignored'
        result = {'status': status, 'ticket': receipt.ticket.number if receipt.ticket else None}
        db.session.commit()
        return result
    return mailgun_inbound

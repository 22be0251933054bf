"""Meta Messenger and Instagram messaging webhooks: ``/api/v1/channels/meta``.

``GET`` is the subscription handshake (``hub.mode``, ``hub.verify_token``,
``hub.challenge``); ``POST`` carries batches signed with ``X-Hub-Signature-256:
sha256=<hex HMAC-SHA256(app secret, raw body)>``. Meta wants a quick 200; it
retries other answers and eventually disables the subscription.
"""
import json
import re

from flask import Response, request

from ..core.errors import ApiError, Unauthorized
from ..core.extensions import db
from ..core.i18n import _
from ..tickets.models import Channel
from ..tickets.operations import CustomerContact
from .config import config_for_address, config_for_verify_token
from .models import ChannelConfig, Provider
from .operations import InboundMessage, receive
from .webhooks import BadSignature, hmac_hex, provider_signed, same

PLATFORMS = {'page': 'messenger', 'instagram': 'instagram'}
_ID = re.compile(r'^\d{1,32}$')
_CHALLENGE = re.compile(r'^[\x21-\x7e]{1,256}$')


class BadBatch(ApiError):
    status, code = 400, 'malformed_event'


def verify_handshake() -> ChannelConfig:
    args = request.args
    if args.get('hub.mode') != 'subscribe' or not _CHALLENGE.match(args.get('hub.challenge', '')):
        raise BadBatch(_('Expected hub.mode=subscribe, hub.verify_token and hub.challenge.'),
                       code='malformed_handshake')
    config = config_for_verify_token(args.get('hub.verify_token', ''))
    if config is None:
        raise BadSignature(_('The verify token does not match any channel configuration.'),
                           code='verify_token_invalid')
    return config


def verify_post() -> ChannelConfig:
    """The config whose app secret signed the body; the others in the batch must share it."""
    header = request.headers.get('X-Hub-Signature-256', '')
    if not header:
        raise Unauthorized(_('Meta posts carry an X-Hub-Signature-256 header.'), code='signature_missing')
    body = request.get_data(cache=True)
    configs = _configs_of(_batch())
    if not configs:
        raise ApiError(_('None of the pages or accounts in this batch is configured.'), status=404,
                       code='unknown_page')
    for config in configs.values():
        if same('sha256=' + hmac_hex(config.secret, body), header):
            same_app = {page: c for page, c in configs.items() if c.secret == config.secret}
            request.environ['support.meta_configs'] = same_app
            return config
    raise BadSignature(_('X-Hub-Signature-256 does not match the app secret of these pages.'))


def _batch() -> dict:
    if 'support.meta_batch' not in request.environ:
        try:
            batch = json.loads(request.get_data(cache=True))
        except (ValueError, UnicodeDecodeError):
            raise BadBatch(_('The body is not valid JSON.')) from None
        if (not isinstance(batch, dict) or batch.get('object') not in PLATFORMS
                or not isinstance(batch.get('entry'), list)):
            raise BadBatch(_('Expected {"object": "page" or "instagram", "entry": [...]}.'))
        request.environ['support.meta_batch'] = batch
    return request.environ['support.meta_batch']


def _configs_of(batch: dict) -> dict[str, ChannelConfig]:
    pages = {str(entry.get('id')) for entry in batch['entry'] if isinstance(entry, dict)}
    found = {}
    for page in pages:
        config = config_for_address(Provider.meta, page) if _ID.match(page) else None
        if config is not None:
            found[page] = config
    return found


def parse_batch(batch: dict, configs: dict[str, ChannelConfig]) -> list[tuple[ChannelConfig, InboundMessage]]:
    """Every customer message of the batch for a configured page; echoes, reads and
    deliveries are skipped. One malformed item rejects the whole batch."""
    platform = PLATFORMS[batch['object']]
    found = []
    for entry in batch['entry']:
        if not isinstance(entry, dict) or not isinstance(entry.get('messaging', []), list):
            raise BadBatch(_('Each entry needs an id and a messaging list.'))
        config = configs.get(str(entry.get('id')))
        for item in entry.get('messaging', []) if config else ():
            inbound = _message(platform, str(entry['id']), item)
            if inbound is not None:
                found.append((config, inbound))
    return found


def _message(platform: str, page: str, item) -> InboundMessage | None:
    if not isinstance(item, dict):
        raise BadBatch(_('Each messaging item must be an object.'))
    message = item.get('message') or item.get('postback')
    if not isinstance(message, dict) or message.get('is_echo'):
        return None  # reads, deliveries, and the echoes of our own replies
    # A message we cannot take rejects the batch: Meta retries it, instead of it being lost.
    if not isinstance(message.get('mid'), str) or not message['mid']:
        raise BadBatch(_('Every message needs message.mid.'), code='message_id_missing')
    sender = (item.get('sender') or {}).get('id') if isinstance(item.get('sender'), dict) else None
    if not isinstance(sender, str) or not sender:
        raise BadBatch(_('Every message needs sender.id.'), code='sender_missing')
    if not _ID.match(sender):
        raise BadBatch(_('sender.id must be a numeric id (at most 32 digits).'), code='sender_invalid')
    body = _text(message)
    if not body:
        return None
    return InboundMessage(
        channel=Channel.social, namespace='meta', external_id=message['mid'][:900], body=body,
        thread_key=f'meta:{page}:{sender}', customer=CustomerContact(handle=f'{platform}:{sender}'),
        tags=[platform])


def _text(message: dict) -> str:
    lines = [message.get('text') or message.get('title') or '']
    attachments = message.get('attachments')
    for attachment in attachments if isinstance(attachments, list) else []:
        if isinstance(attachment, dict):
            url = (attachment.get('payload') or {}).get('url') if isinstance(attachment.get('payload'), dict) else None
            lines.append(f"[{attachment.get('type', 'file')}] {url or ''}".strip())
    text = '\n'.join(str(line) for line in lines if line).replace('\x00', '').strip()
    return text[:20000]


def register(blp):
    @blp.route('/meta', methods=['GET'])
    @provider_signed('meta', verify_handshake, scheme='meta-handshake')
    @blp.response(200, {'type': 'string'}, content_type='text/plain')
    def meta_handshake():
        """Meta's subscription handshake: echo ``hub.challenge`` when the verify token is ours."""
        return Response(request.args['hub.challenge'], mimetype='text/plain')

    @blp.route('/meta', methods=['POST'])
    @provider_signed('meta', verify_post)
    @blp.response(200, {'type': 'string'}, content_type='text/plain')
    def meta_events():
        """Messenger and Instagram messages; each one is taken once however often Meta retries."""
        items = parse_batch(_batch(), request.environ['support.meta_configs'])
        # One lock order for every batch (by conversation, then as sent), so two batches
        # sharing senders cannot deadlock.
        for config, inbound in sorted(items, key=lambda pair: pair[1].thread_key):
            receive(config.client, inbound)
        db.session.commit()
        return Response('EVENT_RECEIVED', mimetype='text/plain')

    return meta_handshake, meta_events


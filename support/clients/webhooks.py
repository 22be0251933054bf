"""Signed event callbacks to client systems: subscriptions, deliveries, retries, redelivery.

A delivery row is written in the transaction that made the change (``enqueue_event``),
sent after commit by a job, and otherwise by the periodic sweep: the row is the
truth, so nothing is lost while the receiver or the worker is down. Each request is
signed with the endpoint's own secret (``X-Support-Timestamp``, ``X-Support-Signature``;
during a secret rotation a second signature with the previous secret follows, comma
separated) and names its ``X-Support-Webhook``, ``X-Support-Delivery``, ``X-Support-Event``
and ``X-Support-Api-Version``. Endpoint secrets, the test event and disabling endpoints
that keep failing live in ``clients.webhook_endpoints``.
"""
import ipaddress
import json
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core import requestid, retry
from ..core.config import setting as core_setting
from ..core.transactions import after_commit
from ..core.clock import utcnow
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.extensions import db
from ..core.i18n import _
from ..core.signing import sign
from .models import Client, ClientKey
from . import webhook_endpoints as endpoints
from .signals import delivery_attempted
from .webhook_models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookSubscription

MAX_SUBSCRIPTIONS = 20
SWEEP_BATCH = 50
DEFAULTS = {
    'SUPPORT_OUTBOUND_TIMEOUT': 10,
    'SUPPORT_OUTBOUND_ALLOW_PRIVATE': False,
    'SUPPORT_WEBHOOK_MAX_ATTEMPTS': 16,
    'SUPPORT_WEBHOOK_BACKOFF_BASE': 30,
    'SUPPORT_WEBHOOK_BACKOFF_CAP': 2 * 3600,
    'SUPPORT_OUTBOUND_RETENTION_DAYS': 30,
}
USER_AGENT = 'support-callbacks/1'


def setting(name: str):
    """An outbound setting: app config, else the environment, else the default in ``DEFAULTS``."""
    return core_setting(name, DEFAULTS.get(name))


# --- where we may send ------------------------------------------------------------

def check_destination(url: str, resolve: bool = False) -> None:
    """Refuse URLs that are not http(s), or (unless allowed) point at private addresses."""
    parts = urlsplit(url)
    if parts.scheme not in ('http', 'https') or not parts.hostname:
        raise ValidationFailed(fields={'url': [_('Give an http:// or https:// URL with a host name.')]})
    if setting('SUPPORT_OUTBOUND_ALLOW_PRIVATE'):
        return
    hosts = [parts.hostname]
    if resolve:
        try:
            hosts = [info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)]
        except OSError:
            return  # the send itself will fail and be retried
    if any(_is_private(host) for host in hosts):
        raise ValidationFailed(fields={'url': [_('This URL points to a private or local address.')]})


def _is_private(host: str) -> bool:
    if host.lower() in ('localhost', 'localhost.localdomain') or host.lower().endswith('.localhost'):
        return True
    try:
        address = ipaddress.ip_address(host.split('%')[0])
    except ValueError:
        return False
    return not address.is_global


# --- the signed POST (also used for reply endpoints) ----------------------------------

@dataclass
class PostResult:
    ok: bool
    status_code: int | None
    error: str | None
    duration_ms: int
    excerpt: str | None = None


def signing_key(session: Session, client_id: int) -> ClientKey | None:
    """The key outgoing requests are signed with: the client's newest active one."""
    return session.scalar(sa.select(ClientKey).where(ClientKey.client_id == client_id, ClientKey.active.is_(True))
                          .order_by(ClientKey.id.desc()).limit(1))


def encode(payload: dict) -> bytes:
    return json.dumps(payload, separators=(',', ':'), ensure_ascii=False).encode()


def post_signed(url: str, body: bytes, secrets: list[str], extra_headers: dict) -> PostResult:
    """POST ``body`` signed with each of ``secrets`` (comma-separated signatures); never raises for network trouble."""
    timestamp = int(time.time())  # the receiver compares with its own (real) clock
    headers = {'Content-Type': 'application/json', 'User-Agent': USER_AGENT, 'X-Support-Timestamp': str(timestamp),
               'X-Support-Signature': ', '.join(sign(secret, timestamp, body) for secret in secrets),
               **requestid.outgoing_headers(), **extra_headers}
    started = time.monotonic()
    try:
        check_destination(url, resolve=True)
        response = requests.post(url, data=body, headers=headers, allow_redirects=False,
                                 timeout=setting('SUPPORT_OUTBOUND_TIMEOUT'))
    except ValidationFailed:
        return PostResult(False, None, 'destination refused: private or local address', _elapsed(started))
    except requests.RequestException as exc:
        return PostResult(False, None, f'{type(exc).__name__}: {exc}'[:500], _elapsed(started))
    ok = 200 <= response.status_code < 300
    return PostResult(ok, response.status_code, None if ok else f'HTTP {response.status_code}',
                      _elapsed(started), (response.text or '')[:500] or None)


def _elapsed(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


# --- subscriptions --------------------------------------------------------------------

def create_subscription(client: Client, url: str, events: list[str], description: str | None = None,
                        active: bool = True) -> tuple[WebhookSubscription, str]:
    """Subscribe ``url`` to ``events`` (at most ``MAX_SUBSCRIPTIONS`` per client); returns its signing
    secret, shown only now."""
    check_destination(url)
    db.session.execute(sa.select(Client.id).where(Client.id == client.id).with_for_update())
    count = db.session.scalar(sa.select(sa.func.count()).select_from(WebhookSubscription)
                              .filter_by(client_id=client.id))
    if count >= MAX_SUBSCRIPTIONS:
        raise Conflict(_('A client can have at most {count} webhook subscriptions.').format(count=MAX_SUBSCRIPTIONS),
                       code='too_many_subscriptions')
    now = utcnow()
    secret = endpoints.new_secret()
    subscription = WebhookSubscription(client_id=client.id, url=url, events=_events(events), secret=secret,
                                       description=description, active=active, created_at=now, updated_at=now)
    db.session.add(subscription)
    db.session.flush()
    endpoints.audit(subscription, 'webhook.created', {'url': url, 'events': subscription.events})
    return subscription, secret


def update_subscription(subscription: WebhookSubscription, **changes) -> WebhookSubscription:
    if 'url' in changes:
        check_destination(changes['url'])
    if 'events' in changes:
        changes['events'] = _events(changes['events'])
    if changes.get('active') and not subscription.active:
        endpoints.enable(subscription)
    for name, value in changes.items():
        setattr(subscription, name, value)
    subscription.updated_at = utcnow()
    endpoints.audit(subscription, 'webhook.updated', {k: v for k, v in changes.items()})
    return subscription


def delete_subscription(subscription: WebhookSubscription) -> None:
    """Remove it with its delivery log (pending deliveries are dropped with it)."""
    endpoints.audit(subscription, 'webhook.deleted', {'url': subscription.url})
    db.session.delete(subscription)


def _events(events: list[str]) -> list[str]:
    order = [e.value for e in WebhookEvent]
    return sorted(set(events), key=order.index)


def get_subscription(client: Client, subscription_id: int) -> WebhookSubscription:
    subscription = db.session.get(WebhookSubscription, subscription_id)
    if subscription is None or subscription.client_id != client.id:
        raise NotFound(_('No such webhook subscription.'))
    return subscription


def list_subscriptions(client: Client) -> list[WebhookSubscription]:
    return db.session.scalars(sa.select(WebhookSubscription).filter_by(client_id=client.id)
                              .order_by(WebhookSubscription.id)).all()


# --- deliveries -----------------------------------------------------------------------

def enqueue_event(session: Session, client_id: int, event: WebhookEvent, data: dict, send_job=None) -> list:
    """Write one delivery per active subscription to ``event`` (in the caller's transaction)."""
    subscriptions = [s for s in session.scalars(sa.select(WebhookSubscription).filter_by(
        client_id=client_id, active=True)) if event.value in s.events]
    if not subscriptions:
        return []
    now = utcnow()
    event_id = 'evt_' + uuid.uuid4().hex
    client_slug = session.scalar(sa.select(Client.slug).where(Client.id == client_id))
    deliveries = [new_delivery(s, event.value, event_id, payload(s, event_id, event.value, now, client_slug, data),
                                now) for s in subscriptions]
    session.add_all(deliveries)
    session.flush()
    if send_job is not None:
        for delivery in deliveries:
            after_commit(session, send_job, delivery.id)
    return deliveries


def payload(subscription: WebhookSubscription, event_id: str, event: str, now, client_slug: str, data: dict) -> dict:
    """The JSON a delivery carries, in the shape of the subscription's API version."""
    return {'id': event_id, 'type': event, 'api_version': subscription.api_version, 'created_at': now.isoformat(),
            'client': client_slug, 'data': data}


def new_delivery(subscription, event: str, event_id: str, payload: dict, now, redelivery_of=None):
    return WebhookDelivery(public_id='dlv_' + uuid.uuid4().hex, client_id=subscription.client_id,
                           subscription_id=subscription.id, event=event, event_id=event_id, payload=payload,
                           status=DeliveryStatus.pending, attempts=0, next_attempt_at=now, created_at=now,
                           redelivery_of_id=redelivery_of)


def get_delivery(client: Client, public_id: str) -> WebhookDelivery:
    delivery = db.session.scalar(sa.select(WebhookDelivery).filter_by(public_id=public_id, client_id=client.id))
    if delivery is None:
        raise NotFound(_('No such delivery.'))
    return delivery


def list_deliveries(client: Client, status=None, event=None, subscription_id=None, before=None,
                    limit: int = 50) -> list[WebhookDelivery]:
    """Newest first; ``before`` is the ``id`` cursor of the last row of the previous page."""
    query = sa.select(WebhookDelivery).filter_by(client_id=client.id)
    if status:
        query = query.filter_by(status=DeliveryStatus(status))
    if event:
        query = query.filter_by(event=event)
    if subscription_id:
        query = query.filter_by(subscription_id=subscription_id)
    if before:
        query = query.where(WebhookDelivery.id < before)
    return db.session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit)).all()


def redeliver(delivery: WebhookDelivery, send_job=None) -> WebhookDelivery:
    """Send it again: a waiting delivery becomes due now; a finished one is copied to a new delivery."""
    now = utcnow()
    locked = db.session.scalar(sa.select(WebhookDelivery).where(WebhookDelivery.id == delivery.id)
                               .with_for_update().execution_options(populate_existing=True))
    if locked.status == DeliveryStatus.pending:
        locked.next_attempt_at = min(locked.next_attempt_at or now, now)
        target = locked
    else:
        target = new_delivery(locked.subscription, locked.event, locked.event_id, locked.payload, now,
                               redelivery_of=locked.id)
        db.session.add(target)
        db.session.flush()
    if send_job is not None:
        after_commit(db.session, send_job, target.id)
    return target


# --- sending --------------------------------------------------------------------------

@dataclass
class _Outgoing:
    url: str
    body: bytes
    secrets: list[str]
    headers: dict


def send_due(session: Session, ids=None, limit: int = SWEEP_BATCH) -> int:
    """Claim due deliveries (all, or these ``ids``) and send them; how many were tried."""
    claimed = retry.claim_due(session, WebhookDelivery, utcnow(), limit, ids)
    for delivery_id, attempt in claimed:
        _attempt(session, delivery_id, attempt)
    return len(claimed)


def _attempt(session: Session, delivery_id: int, attempt: int) -> None:
    outgoing = _load_outgoing(session, delivery_id)
    session.commit()  # hold no transaction (nor SQLite's write lock) during the request
    if outgoing is None:
        return  # its subscription was deleted meanwhile
    started_at = utcnow()
    if not outgoing.secrets:
        result = PostResult(False, None, 'the client has no active key to sign with', 0)
    else:
        result = post_signed(outgoing.url, outgoing.body, outgoing.secrets, outgoing.headers)
    _record(session, delivery_id, attempt, started_at, result)
    session.commit()


def _load_outgoing(session: Session, delivery_id: int) -> _Outgoing | None:
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        return None
    subscription = delivery.subscription
    headers = {'X-Support-Webhook': str(subscription.id), 'X-Support-Delivery': delivery.public_id,
               'X-Support-Event': delivery.event,
               'X-Support-Api-Version': delivery.payload.get('api_version') or subscription.api_version}
    secrets = endpoints.signing_secrets(subscription)
    if not secrets:  # a subscription from before endpoint secrets: the client's intake key, as then
        key = signing_key(session, delivery.client_id)
        secrets = [key.secret] if key else []
        headers['X-Support-Key'] = key.key_id if key else ''
    return _Outgoing(subscription.url, encode(delivery.payload), secrets, headers)


def _record(session: Session, delivery_id: int, attempt: int, started_at, result: PostResult) -> None:
    session.add(WebhookAttempt(delivery_id=delivery_id, number=attempt, started_at=started_at,
                               duration_ms=result.duration_ms, status_code=result.status_code,
                               error=result.error, response_excerpt=result.excerpt))
    delivery = retry.load_claimed(session, WebhookDelivery, delivery_id, attempt)
    if delivery is None:
        return  # our lease ran out and another worker owns it now; the attempt is logged all the same
    delivery.last_status_code, delivery.last_error = result.status_code, result.error
    now = utcnow()
    endpoints.note_result(session, delivery.subscription, result.ok, now)
    if result.ok:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.delivered, now, None
    elif attempt >= setting('SUPPORT_WEBHOOK_MAX_ATTEMPTS'):
        delivery.status, delivery.next_attempt_at = DeliveryStatus.failed, None
    else:
        delivery.next_attempt_at = now + retry_delay(attempt)
    outcome = 'sent' if result.ok else 'failed' if delivery.status == DeliveryStatus.failed else 'retry'
    delivery_attempted.send(delivery, session=session, kind='webhook', transport='http', result=outcome)


def retry_delay(attempt: int) -> timedelta:
    """Wait after the ``attempt``-th failure: 30 s, 1 min, 2 min ... capped at 2 h (configurable)."""
    return retry.backoff(attempt, timedelta(seconds=setting('SUPPORT_WEBHOOK_BACKOFF_BASE')),
                         timedelta(seconds=setting('SUPPORT_WEBHOOK_BACKOFF_CAP')))


def prune(session: Session, older_than: timedelta) -> int:
    """Forget finished deliveries (and, by cascade, their attempts) older than ``older_than``."""
    result = session.execute(sa.delete(WebhookDelivery).where(
        WebhookDelivery.status != DeliveryStatus.pending, WebhookDelivery.created_at < utcnow() - older_than))
    return result.rowcount or 0

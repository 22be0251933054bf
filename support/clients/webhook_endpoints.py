"""Webhook endpoints like Stripe's: a secret per endpoint, rotation with a grace period, a test
event, and endpoints that keep failing disabled (and the client told) until re-enabled.

* The secret (``whsec_...``) is made with the endpoint and shown once; ``rotate_secret`` makes a
  new one (shown once) and keeps signing with the old one too for ``grace_seconds``, so the
  receiver can switch without losing a delivery.
* ``send_test`` queues a ``webhook.test`` delivery to that endpoint only.
* An endpoint whose every attempt failed for ``SUPPORT_WEBHOOK_DISABLE_AFTER`` seconds (a day)
  is disabled: its waiting deliveries stop (``failed``, redeliverable), the client's other active
  endpoints get ``webhook.endpoint_disabled``, and when there is none the client's
  ``notify_email`` gets an e-mail (``endpoint_disabled`` signal, sent by outbound).
"""
import secrets
import uuid
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..audit.operations import SYSTEM, record
from ..core.clock import utcnow
from ..core.config import setting
from ..core.extensions import db
from ..core.transactions import after_commit
from .signals import endpoint_disabled
from .webhook_models import DeliveryStatus, SystemEvent, WebhookDelivery, WebhookSubscription

SECRET_PREFIX = 'whsec_'
DISABLE_AFTER = 24 * 3600


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def audit(subscription: WebhookSubscription, action: str, detail: dict | None = None, session=None,
          actor=None) -> None:
    record(action, target_type='webhook', target_id=subscription.id, client_id=subscription.client_id,
           detail=detail, session=session, actor=actor)


def signing_secrets(subscription: WebhookSubscription) -> list[str]:
    """The secrets a delivery is signed with now: the endpoint's, and the previous one during its grace."""
    if not subscription.secret:
        return []
    found = [subscription.secret]
    expires = subscription.previous_secret_expires_at
    if subscription.previous_secret and expires is not None and expires > utcnow():
        found.append(subscription.previous_secret)
    return found


def rotate_secret(subscription: WebhookSubscription, grace_seconds: int) -> str:
    """A new signing secret (returned once); the current one keeps signing for ``grace_seconds``."""
    now = utcnow()
    if subscription.secret and grace_seconds > 0:
        subscription.previous_secret = subscription.secret
        subscription.previous_secret_expires_at = now + timedelta(seconds=grace_seconds)
    else:
        subscription.previous_secret = subscription.previous_secret_expires_at = None
    secret = new_secret()
    subscription.secret, subscription.updated_at = secret, now
    audit(subscription, 'webhook.secret_rotated', {'grace_seconds': grace_seconds})
    return secret


def _system_delivery(session: Session, subscription: WebhookSubscription, event: SystemEvent, data: dict, now,
                     event_id: str | None = None) -> WebhookDelivery:
    """A delivery of one of our own events to ``subscription``, whatever it subscribed to."""
    from .webhooks import new_delivery, payload  # webhooks builds on this module
    event_id = event_id or 'evt_' + uuid.uuid4().hex
    body = payload(subscription, event_id, event.value, now, subscription.client.slug, data)
    delivery = new_delivery(subscription, event.value, event_id, body, now)
    session.add(delivery)
    return delivery


def send_test(subscription: WebhookSubscription, send_job=None) -> WebhookDelivery:
    """A ``webhook.test`` delivery to this endpoint only (even a disabled one: check it before enabling)."""
    delivery = _system_delivery(db.session, subscription, SystemEvent.test,
                                {'subscription_id': subscription.id, 'message': 'This is a test event.'}, utcnow())
    db.session.flush()
    audit(subscription, 'webhook.test_sent', {'delivery': delivery.public_id})
    if send_job is not None:
        after_commit(db.session, send_job, delivery.id)
    return delivery


def enable(subscription: WebhookSubscription) -> WebhookSubscription:
    """Back on (after a disable, or a pause): the failure clock starts again."""
    subscription.active = True
    subscription.failing_since = subscription.disabled_at = subscription.disabled_reason = None
    subscription.updated_at = utcnow()
    audit(subscription, 'webhook.enabled')
    return subscription


def note_result(session: Session, subscription: WebhookSubscription, ok: bool, now) -> None:
    """After an attempt: a success clears the failure clock; a day of failures disables the endpoint."""
    if ok:
        subscription.failing_since = None
        return
    if subscription.failing_since is None:
        subscription.failing_since = now
    limit = timedelta(seconds=setting('SUPPORT_WEBHOOK_DISABLE_AFTER', DISABLE_AFTER))
    if subscription.active and now - subscription.failing_since >= limit:
        _disable(session, subscription, now)


def _disable(session: Session, subscription: WebhookSubscription, now) -> None:
    subscription.active, subscription.disabled_at, subscription.updated_at = False, now, now
    subscription.disabled_reason = 'every delivery failed since ' + subscription.failing_since.isoformat()
    session.execute(sa.update(WebhookDelivery).where(
        WebhookDelivery.subscription_id == subscription.id, WebhookDelivery.status == DeliveryStatus.pending)
        .values(status=DeliveryStatus.failed, next_attempt_at=None, last_error='endpoint disabled')
        .execution_options(synchronize_session=False))
    audit(subscription, 'webhook.disabled', {'failing_since': subscription.failing_since.isoformat()},
          session=session, actor=SYSTEM)
    if not _tell_other_endpoints(session, subscription, now):
        endpoint_disabled.send(subscription, session=session)


def _tell_other_endpoints(session: Session, subscription: WebhookSubscription, now) -> bool:
    """``webhook.endpoint_disabled`` to the client's other active endpoints (sent by the next sweep,
    which is running right now); whether there was one."""
    others = session.scalars(sa.select(WebhookSubscription).where(
        WebhookSubscription.client_id == subscription.client_id, WebhookSubscription.active.is_(True),
        WebhookSubscription.id != subscription.id)).all()
    event_id = 'evt_' + uuid.uuid4().hex
    data = {'subscription': {'id': subscription.id, 'url': subscription.url}, 'disabled_at': now.isoformat(),
            'reason': subscription.disabled_reason}
    for other in others:
        _system_delivery(session, other, SystemEvent.endpoint_disabled, data, now, event_id)
    return bool(others)

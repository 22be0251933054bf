"""E-mails to a client's contact about its own integration (a webhook endpoint disabled)."""
import logging

from sqlalchemy.orm import Session

from ..clients.webhook_models import WebhookSubscription
from ..core.i18n import _, force_locale
from . import smtp
from .operations import setting

log = logging.getLogger(__name__)


def endpoint_disabled_mail(subscription: WebhookSubscription) -> dict | None:
    """The envelope telling the client an endpoint was disabled, in its language; None without a contact."""
    client = subscription.client
    if not client.notify_email:
        return None
    sender = setting('SUPPORT_MAIL_FROM')
    with force_locale(client.default_language or 'en'):
        subject = _('Webhook endpoint disabled: {url}').format(url=subscription.url[:200])
        body = _('Every delivery to your webhook endpoint {url} has failed since {since}, so we stopped '
                 'sending to it. Fix the receiver, then re-enable the endpoint (POST '
                 '/api/v1/intake/webhooks/{id}/enable) and redeliver what it missed.').format(
            url=subscription.url, since=subscription.failing_since.isoformat(timespec='minutes'),
            id=subscription.id)
    return {'from': sender, 'from_name': setting('SUPPORT_MAIL_FROM_NAME'), 'to': client.notify_email,
            'to_name': client.name, 'subject': subject, 'body': body, 'language': client.default_language or 'en',
            'message_id': smtp.new_message_id(sender, f'webhook{subscription.id}')}


def send_endpoint_disabled(session: Session, subscription_id: int) -> bool:
    """Send the notice now; whether it went (no contact, or no SMTP configured, is logged)."""
    subscription = session.get(WebhookSubscription, subscription_id)
    envelope = endpoint_disabled_mail(subscription) if subscription else None
    if envelope is None:
        log.warning('webhook endpoint %s disabled; its client has no notify_email to tell', subscription_id)
        return False
    smtp.send(setting('SUPPORT_SMTP_URL'), envelope, setting('SUPPORT_OUTBOUND_TIMEOUT'))
    return True

"""What the provider webhooks share: their access rule, errors in each provider's
terms, signature helpers."""
import functools
import hashlib
import hmac
import logging

from flask import g

from ..core.access import mark_access
from ..core.errors import ApiError

log = logging.getLogger(__name__)


class Rejected(ApiError):
    """A delivery we will never accept (Mailgun: 406 tells it to stop retrying)."""

    status, code = 406, 'rejected'


class BadSignature(ApiError):
    status, code = 403, 'signature_invalid'


def provider_signed(provider: str, verify):
    """Route decorator: ``verify()`` must prove the request comes from ``provider``.

    ``verify`` checks the provider's own signature with the secret of the client's
    channel configuration and sets ``g.channel_config`` and ``g.client``; it raises
    an ``ApiError`` with the status the provider expects when it cannot.
    """
    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            g.pop('current_agent', None)  # a provider is nobody's login
            try:
                g.channel_config = verify()
                g.client = g.channel_config.client
                return view(*args, **kwargs)
            except ApiError as exc:  # operators need to see refused deliveries
                log.info('%s delivery refused: %s %s', provider, exc.status, exc.code)
                raise
        return mark_access(wrapper, f'provider-signed:{provider}')
    return decorator


def hmac_hex(secret: str, message: bytes, digest=hashlib.sha256) -> str:
    return hmac.new(secret.encode(), message, digest).hexdigest()


def same(expected: str, received: str) -> bool:
    """Constant-time comparison of two signatures."""
    return hmac.compare_digest(expected.encode(), (received or '').encode('utf-8', 'replace'))

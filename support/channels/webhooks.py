"""What the provider webhooks share: their access rule, errors in each provider's
terms, signature helpers."""
import functools
import hashlib
import hmac
import logging

from flask import g

from ..core.access import mark_access, register_security_scheme
from ..core.errors import ApiError

log = logging.getLogger(__name__)

# How each provider proves a delivery is its own (the OpenAPI security scheme of its routes).
PROVIDER_SCHEMES = {
    'mailgun': ('mailgunSignature', {
        'type': 'http', 'scheme': 'mailgun-hmac',
        'description': 'Mailgun signs in the form body: `signature` = hex HMAC-SHA256(signing key, '
                       '`timestamp` + `token`); a token is accepted once.'}),
    'meta': ('metaSignature', {
        'type': 'apiKey', 'in': 'header', 'name': 'X-Hub-Signature-256',
        'description': '`sha256=<hex HMAC-SHA256(app secret, raw body)>`.'}),
    'meta-handshake': ('metaVerifyToken', {
        'type': 'apiKey', 'in': 'query', 'name': 'hub.verify_token',
        'description': "The verify token of the client's Meta configuration."}),
    'twilio': ('twilioSignature', {
        'type': 'apiKey', 'in': 'header', 'name': 'X-Twilio-Signature',
        'description': 'base64 HMAC-SHA1(auth token, URL + sorted form fields), as Twilio computes it.'}),
}
for _name, _definition in PROVIDER_SCHEMES.values():
    register_security_scheme(_name, _definition)


class Rejected(ApiError):
    """A delivery we will never accept (Mailgun: 406 tells it to stop retrying)."""

    status, code = 406, 'rejected'


class BadSignature(ApiError):
    status, code = 403, 'signature_invalid'


def provider_signed(provider: str, verify, scheme: str | None = None):
    """Route decorator: ``verify()`` must prove the request comes from ``provider``.

    ``scheme`` names its entry in ``PROVIDER_SCHEMES`` (the provider's own by default).

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
        return mark_access(wrapper, f'provider-signed:{provider}', _provider_doc(provider, scheme or provider))
    return decorator


def _provider_doc(provider: str, scheme: str):
    name = PROVIDER_SCHEMES[scheme][0]

    def doc(method: str) -> dict:
        return {'security': [{name: []}], 'extensions': {'x-required-role': f'provider:{provider}'},
                'note': f"{provider} itself, proven by its signature (`{name}`) with the client's configured secret."}
    return doc


def hmac_hex(secret: str, message: bytes, digest=hashlib.sha256) -> str:
    return hmac.new(secret.encode(), message, digest).hexdigest()


def same(expected: str, received: str) -> bool:
    """Constant-time comparison of two signatures."""
    return hmac.compare_digest(expected.encode(), (received or '').encode('utf-8', 'replace'))

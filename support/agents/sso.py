"""Single sign-on with the center's identity provider (OpenID Connect, authorization code flow, Authlib).

Set ``SUPPORT_OIDC_ISSUER`` (its discovery document is ``<issuer>/.well-known/openid-configuration``),
``SUPPORT_OIDC_CLIENT_ID`` and ``SUPPORT_OIDC_CLIENT_SECRET``; register
``<public URL>/api/v1/auth/sso/callback`` as the redirect URI at the provider. Authlib checks
``state`` and the nonce, and the ID token's signature (the provider's JWKS), issuer, audience
and expiry. Nobody is created by signing in: the provider's ``email`` must belong to an active
account here (it must be ``email_verified`` when the provider says so). The provider's subject
(``sub``) is pinned to the account on first use; later sign-ins must present the same one, so an
e-mail address re-assigned at the provider does not hand over the account. The provider's own
second factor stands in for ours.
"""
import sqlalchemy as sa
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import current_app, url_for

from ..audit.operations import AuditActor, record
from ..core.config import setting
from ..core.errors import ApiError, NotFound
from ..core.extensions import db
from ..core.i18n import _
from .models import Agent

SCOPE = 'openid email profile'


class SsoRefused(ApiError):
    status, code = 403, 'sso_refused'


def sso_enabled() -> bool:
    return bool(setting('SUPPORT_OIDC_ISSUER') and setting('SUPPORT_OIDC_CLIENT_ID'))


def _provider():
    """The Authlib client for the configured provider (one per configuration: tests change it)."""
    if not sso_enabled():
        raise NotFound(_('Single sign-on is not configured.'))
    issuer = setting('SUPPORT_OIDC_ISSUER').rstrip('/')
    config = (issuer, setting('SUPPORT_OIDC_CLIENT_ID'), setting('SUPPORT_OIDC_CLIENT_SECRET', ''))
    clients = current_app.extensions.setdefault('support_oidc_clients', {})
    if config not in clients:
        oauth = OAuth(current_app._get_current_object())
        clients[config] = oauth.register('center', client_id=config[1], client_secret=config[2],
                                         server_metadata_url=f'{issuer}/.well-known/openid-configuration',
                                         client_kwargs={'scope': SCOPE})
    return clients[config]


def callback_url() -> str:
    public = setting('SUPPORT_PUBLIC_URL')
    if public:
        return public.rstrip('/') + url_for('account.sso_callback')
    return url_for('account.sso_callback', _external=True)


def begin():
    """The redirect to the provider's sign-in page."""
    return _provider().authorize_redirect(callback_url())


def finish() -> Agent:
    """The account the provider vouched for (after its redirect back to us); audited either way."""
    try:
        token = _provider().authorize_access_token()
    except OAuthError as exc:
        _refuse(None, f'provider: {exc.error}', _('The sign-in with your company account did not complete.'))
    claims = token.get('userinfo') or {}
    agent = _account_for(claims)
    record('login.succeeded', actor=AuditActor('agent', agent.id, agent.email), target_type='agent',
           target_id=agent.id, detail={'route': 'sso', 'issuer': claims.get('iss')})
    db.session.commit()
    return agent


def _account_for(claims: dict) -> Agent:
    email = (claims.get('email') or '').strip().lower()
    subject = str(claims.get('sub') or '')
    if not email or not subject or claims.get('email_verified') is False:
        _refuse(email, 'no verified e-mail', _('Your company account did not share a verified e-mail address.'))
    agent = db.session.scalar(sa.select(Agent).where(Agent.email == email))
    if agent is None or not agent.active:
        _refuse(email, 'no such account', _('There is no active account for {email} here.').format(email=email))
    if agent.sso_subject is None:
        agent.sso_subject = subject
    elif agent.sso_subject != subject:
        _refuse(email, 'subject changed', _('This account is linked to another identity at your company.'))
    return agent


def _refuse(email: str | None, reason: str, message: str):
    db.session.rollback()
    record('login.failed', actor=AuditActor('anonymous', None, email or None), target_type='agent',
           detail={'route': 'sso', 'failed': reason})
    db.session.commit()
    raise SsoRefused(message)

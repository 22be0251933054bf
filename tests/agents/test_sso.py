"""Single sign-on against a real OpenID provider the test starts on 127.0.0.1.

``oidc_provider_mock`` is a small OpenID Connect provider (Authlib's server side: discovery,
JWKS, RS256-signed ID tokens, the authorization code flow) served over HTTP in a thread; our
side runs unchanged: Authlib's client fetches its metadata and keys, exchanges the code, and
checks the ID token, all over the network. Its sign-in page is a form where the test types
who the user is (``sub``).
"""
from urllib.parse import urlsplit

import oidc_provider_mock
import pytest
import requests
import sqlalchemy as sa

from support.agents.models import Agent
from support.audit.models import AuditEntry
from support.core.extensions import db


@pytest.fixture
def provider(app, monkeypatch):
    users = [oidc_provider_mock.User(sub='idp-ana', claims={'email': 'ana@center.example', 'email_verified': True}),
             oidc_provider_mock.User(sub='idp-impostor', claims={'email': 'ana@center.example',
                                                                  'email_verified': True}),
             oidc_provider_mock.User(sub='idp-stranger', claims={'email': 'stranger@center.example'}),
             oidc_provider_mock.User(sub='idp-unverified', claims={'email': 'ana@center.example',
                                                                   'email_verified': False})]
    with oidc_provider_mock.run_server_in_thread(user_claims=users) as server:
        issuer = f'http://localhost:{server.server_port}'
        monkeypatch.setitem(app.config, 'SUPPORT_OIDC_ISSUER', issuer)
        monkeypatch.setitem(app.config, 'SUPPORT_OIDC_CLIENT_ID', 'support-console')
        monkeypatch.setitem(app.config, 'SUPPORT_OIDC_CLIENT_SECRET', 'console-secret')
        yield issuer


def _sign_in(app, subject: str, next_path: str | None = None):
    """The browser's round trip: us → provider's sign-in form → back to our callback."""
    browser = app.test_client()
    start = browser.get('/api/v1/auth/sso/login', query_string={'next': next_path} if next_path else None)
    assert start.status_code == 302, start.get_data(as_text=True)
    at_provider = requests.post(start.headers['Location'], data={'sub': subject}, allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers['Location'])
    assert back.path == '/api/v1/auth/sso/callback'
    return browser, browser.get(back.path, query_string=back.query)


def test_signing_in_through_the_provider_starts_a_session(app, make, provider):
    agent = make.agent(email='ana@center.example')
    browser, landed = _sign_in(app, 'idp-ana', next_path='/console')
    assert landed.status_code == 302 and landed.headers['Location'] == '/console'
    assert browser.get('/api/v1/auth/me').get_json()['id'] == agent.id
    assert db.session.get(Agent, agent.id).sso_subject == 'idp-ana'
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == 'login.succeeded')).one()
    assert (entry.actor_id, entry.detail['route'], entry.detail['issuer']) == (agent.id, 'sso', provider)


def test_no_account_no_session(app, make, provider):
    make.agent(email='ana@center.example')
    browser, landed = _sign_in(app, 'idp-stranger')
    assert landed.status_code == 302 and landed.headers['Location'] == '/login'
    assert browser.get('/api/v1/auth/me').status_code == 401
    assert 'There is no active account for stranger@center.example' in browser.get('/login').get_data(as_text=True)
    failed = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == 'login.failed')).one()
    assert failed.detail == {'route': 'sso', 'failed': 'no such account'}


def test_the_subject_is_pinned_and_the_email_must_be_verified(app, make, provider):
    make.agent(email='ana@center.example')
    _browser, first = _sign_in(app, 'idp-ana')
    assert first.headers['Location'] == '/'
    impostor, landed = _sign_in(app, 'idp-impostor')  # the provider re-assigned the address
    assert landed.headers['Location'] == '/login' and impostor.get('/api/v1/auth/me').status_code == 401
    unverified, landed = _sign_in(app, 'idp-unverified')
    assert landed.headers['Location'] == '/login' and unverified.get('/api/v1/auth/me').status_code == 401


def test_a_forged_callback_is_refused(app, make, provider):
    make.agent(email='ana@center.example')
    browser = app.test_client()
    landed = browser.get('/api/v1/auth/sso/callback', query_string={'code': 'made-up', 'state': 'made-up'})
    assert landed.status_code == 302 and landed.headers['Location'] == '/login'
    assert browser.get('/api/v1/auth/me').status_code == 401


def test_without_configuration_there_is_no_sso(app, http):
    assert http.get('/api/v1/auth/sso/login').status_code == 404
    assert 'data-testid="login-sso"' not in http.get('/login').get_data(as_text=True)


def test_the_login_page_offers_it_when_configured(app, http, provider):
    assert 'data-testid="login-sso"' in http.get('/login').get_data(as_text=True)

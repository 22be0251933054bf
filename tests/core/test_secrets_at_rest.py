"""Secrets at rest: the database holds no secret in clear; keys rotate with ``support reencrypt``."""
import json
import logging

import pyotp
import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from support.clients.models import ClientKey
from support.core import crypto
from support.core.extensions import db


def _every_text_in_the_database() -> str:
    """Every value of every table, read with plain SQL (no model decrypts anything)."""
    chunks = []
    db.session.close()  # SQLite: the test's own session must not hold the write lock
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            for row in conn.execute(sa.text(f'SELECT * FROM "{table.name}"')):
                chunks.append(json.dumps([str(v) for v in row]))
    return '\n'.join(chunks)


@pytest.fixture
def secrets_in_use(app, make, http, monkeypatch, caplog):
    """A client key, provider secrets, a reply endpoint token, a webhook secret and a TOTP secret."""
    monkeypatch.setitem(app.config, 'SUPPORT_OUTBOUND_ALLOW_PRIVATE', True)
    caplog.set_level(logging.DEBUG)
    admin = make.agent(role='admin')
    creds = make.client(slug='acme')
    found = {'client key': creds.secret}
    for provider, secret, address in (('mailgun', 'mailgun-signing-key-1234', 'help@acme.example.com'),
                                      ('meta', 'meta-app-secret-5678', '1234567890'),
                                      ('twilio', 'twilio-auth-token-9012', '+15551230000')):
        response = http.post('/api/v1/clients/acme/channels', json={'provider': provider, 'secret': secret,
                                                                    'addresses': [address]}, headers=admin.headers)
        assert response.status_code == 201, response.get_json()
        found[provider] = secret
    endpoint = http.put('/api/v1/clients/acme/outbound/endpoints/sms', json={
        'url': 'https://api.twilio.example.com/Messages', 'format': 'twilio', 'account': 'AC1',
        'secret': 'reply-token-3456', 'sender': '+15551230000'}, headers=admin.headers)
    assert endpoint.status_code == 200, endpoint.get_json()
    found['reply endpoint'] = 'reply-token-3456'
    webhook = http.post('/api/v1/clients/acme/webhooks', json={'url': 'https://crm.example.com/hooks',
                                                               'events': ['ticket.created']}, headers=admin.headers)
    found['webhook'] = webhook.get_json()['secret']
    found['totp'] = http.post('/api/v1/auth/two-factor/setup', headers=admin.headers).get_json()['secret']
    return found


def test_no_secret_is_stored_or_logged_in_clear(secrets_in_use, caplog):
    stored = _every_text_in_the_database()
    for name, secret in secrets_in_use.items():
        assert secret not in stored, name
        assert secret not in caplog.text, name
    assert 'gAAAAA' in stored  # Fernet tokens are what the columns hold


def test_the_application_still_uses_them(secrets_in_use, make):
    key = db.session.scalars(sa.select(ClientKey)).one()
    assert key.secret == secrets_in_use['client key']
    assert make.ticket(make.client()) and len(pyotp.TOTP(secrets_in_use['totp']).now()) == 6


def test_rotating_the_encryption_key(app, secrets_in_use, monkeypatch):
    old = crypto.derived_key(app.config['SECRET_KEY'])
    new = Fernet.generate_key().decode()
    monkeypatch.setitem(app.config, 'SUPPORT_ENCRYPTION_KEYS', f'{new},{old}')  # the new key first
    db.session.close()
    result = app.test_cli_runner().invoke(args=['support', 'reencrypt'])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)
    assert counts['client_keys.secret'] == 1 and counts['channel_configs.secret'] == 3
    assert counts['webhook_subscriptions.secret'] == 1 and counts['agents.totp_secret'] == 1
    monkeypatch.setitem(app.config, 'SUPPORT_ENCRYPTION_KEYS', new)  # the old key is gone
    db.session.expire_all()
    assert db.session.scalars(sa.select(ClientKey)).one().secret == secrets_in_use['client key']
    monkeypatch.setitem(app.config, 'SUPPORT_ENCRYPTION_KEYS', Fernet.generate_key().decode())  # a wrong key
    db.session.expire_all()
    with pytest.raises(crypto.SecretUnreadable):
        db.session.scalars(sa.select(ClientKey)).one().secret  # noqa: B018


def test_new_encryption_key_prints_a_fernet_key(app):
    result = app.test_cli_runner().invoke(args=['support', 'new-encryption-key'])
    assert result.exit_code == 0 and Fernet(result.output.strip().encode())

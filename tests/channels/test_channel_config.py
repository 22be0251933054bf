"""Per-client channel configuration: admins only, secrets never shown, addresses unique, CLI."""
import json

import pytest

from .providers import MAILGUN_KEY, as_agent, mailgun_fields, mailgun_signature, post_mailgun


@pytest.fixture
def admin(make):
    return make.agent(role='admin')


def create(http, admin, slug, **body):
    payload = {'provider': 'mailgun', 'secret': MAILGUN_KEY, 'addresses': ['support@acme.example'], **body}
    return as_agent(http, admin, 'POST', f'/api/v1/clients/{slug}/channels', json=payload)


def test_admin_creates_lists_and_reads_without_secrets(http, make, admin):
    make.client(slug='acme')
    created = create(http, admin, 'acme', name='Mailgun EU')
    assert created.status_code == 201
    body = created.get_json()
    assert body['addresses'] == ['support@acme.example'] and body['has_secret'] is True
    assert body['webhook_path'] == '/api/v1/channels/mailgun' and body['verify_token'] is None
    assert MAILGUN_KEY not in json.dumps(body)
    listed = as_agent(http, admin, 'GET', '/api/v1/clients/acme/channels')
    one = as_agent(http, admin, 'GET', f"/api/v1/clients/acme/channels/{body['id']}")
    for response in (listed, one):
        assert response.status_code == 200 and MAILGUN_KEY not in response.get_data(as_text=True)


def test_only_admins(http, make):
    make.client(slug='acme')
    supervisor = make.agent(role='supervisor')
    assert create(http, supervisor, 'acme').status_code == 403
    assert http.get('/api/v1/clients/acme/channels').status_code == 401


INVALID_CONFIGS_CASES = [
    ({'addresses': ['not-an-address']}, 'addresses'), ({'addresses': []}, 'addresses'),
    ({'provider': 'fax'}, 'provider'), ({'secret': 'short'}, 'secret'),
    ({'provider': 'twilio', 'addresses': ['+15005550006'], 'account_sid': 'XX1'}, 'account_sid'),
    ({'provider': 'twilio', 'addresses': ['5550006']}, 'addresses'),
    ({'provider': 'meta', 'addresses': ['page-name']}, 'addresses'),
    ({'verify_token': 'a-verify-token'}, 'verify_token')]


def test_invalid_configs(http, make, admin):
    make.client(slug='acme')
    for body, field in INVALID_CONFIGS_CASES:
        response = create(http, admin, 'acme', **body)
        assert response.status_code == 422 and field in response.get_json()['error']['fields']


def test_an_address_belongs_to_one_client(http, make, admin):
    make.client(slug='acme')
    make.client(slug='beta')
    assert create(http, admin, 'acme').status_code == 201
    taken = create(http, admin, 'beta', addresses=['SUPPORT@acme.example'])
    assert taken.status_code == 409 and taken.get_json()['error']['code'] == 'address_taken'


def test_rotating_the_secret_and_pausing(http, make, admin):
    make.client(slug='acme')
    config = create(http, admin, 'acme').get_json()
    url = f"/api/v1/clients/acme/channels/{config['id']}"
    assert as_agent(http, admin, 'PATCH', url, json={'secret': 'key-new-signing-key'}).status_code == 200
    assert post_mailgun(http, mailgun_fields()).status_code == 401
    fresh = mailgun_fields(**mailgun_signature(key='key-new-signing-key'))
    assert post_mailgun(http, fresh).status_code == 200
    assert as_agent(http, admin, 'PATCH', url, json={'active': False}).get_json()['active'] is False
    paused = post_mailgun(http, mailgun_fields(**mailgun_signature(key='key-new-signing-key')))
    assert paused.status_code == 406 and paused.get_json()['error']['code'] == 'unknown_recipient'
    assert as_agent(http, admin, 'PATCH', url, json={}).status_code == 422
    wrong = as_agent(http, admin, 'PATCH', url, json={'verify_token': 'meta-only-token', 'account_sid': None})
    assert wrong.status_code == 422 and set(wrong.get_json()['error']['fields']) == {'verify_token'}


def test_delete(http, make, admin):
    make.client(slug='acme')
    config = create(http, admin, 'acme').get_json()
    url = f"/api/v1/clients/acme/channels/{config['id']}"
    assert as_agent(http, admin, 'DELETE', url).status_code == 204
    assert as_agent(http, admin, 'GET', url).status_code == 404
    assert as_agent(http, admin, 'GET', '/api/v1/clients/nobody/channels').status_code == 404


def test_another_clients_config_is_not_found(http, make, admin):
    make.client(slug='acme')
    make.client(slug='beta')
    config = create(http, admin, 'acme').get_json()
    assert as_agent(http, admin, 'GET', f"/api/v1/clients/beta/channels/{config['id']}").status_code == 404


def test_cli_channel_add_and_list(app, make):
    make.client(slug='acme')
    runner = app.test_cli_runner()
    result = runner.invoke(args=['support', 'channel-add', '--slug', 'acme', '--provider', 'meta',
                                 '--secret', 'meta-app-secret', '--address', '1234567890'])
    assert result.exit_code == 0, result.output
    created = json.loads(result.output)
    assert created['provider'] == 'meta' and len(created['verify_token']) >= 24
    listed = runner.invoke(args=['support', 'channel-list', '--slug', 'acme'])
    assert listed.exit_code == 0 and 'meta-app-secret' not in listed.output and '1234567890' in listed.output
    bad = runner.invoke(args=['support', 'channel-add', '--slug', 'acme', '--provider', 'twilio',
                              '--secret', 'twilio-token-123', '--address', 'nope'])
    assert bad.exit_code != 0 and 'addresses' in bad.output

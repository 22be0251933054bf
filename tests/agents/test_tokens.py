"""Personal API tokens: scopes, expiry, listing, revocation; the role still caps them."""
from datetime import timedelta

import sqlalchemy as sa

from support.core import clock
from support.core.extensions import db


def _new_token(http, login, scopes, days=30, name='CRM sync'):
    response = http.post('/api/v1/auth/tokens', json={'name': name, 'scopes': scopes, 'expires_in_days': days},
                         headers=login.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _bearer(token: str) -> dict:
    return {'Authorization': f'Bearer {token}'}


def test_a_read_token_reads_tickets_and_changes_nothing(make, http):
    agent = make.agent()
    ticket = make.ticket()
    created = _new_token(http, agent, ['tickets:read'])
    assert created['token'].startswith('spt_') and created['scopes'] == ['tickets:read']
    token = _bearer(created['token'])
    assert http.get('/api/v1/tickets', headers=token).status_code == 200
    assert http.get(f"/api/v1/tickets/{ticket['id']}", headers=token).status_code == 200
    refused = http.patch(f"/api/v1/tickets/{ticket['id']}", json={'priority': 'high'}, headers=token)
    assert refused.status_code == 403 and refused.get_json()['error']['code'] == 'insufficient_scope'
    assert 'tickets:write' in refused.get_json()['error']['message']
    assert http.get('/api/v1/lab/units', headers=token).status_code == 403
    assert http.get('/api/v1/auth/me', headers=token).get_json()['id'] == agent.id


def test_scopes_map_to_the_routes(make, http):
    admin = make.agent(role='admin', site='Polanco')
    lab = _bearer(_new_token(http, admin, ['lab'])['token'])
    assert http.get('/api/v1/lab/units', headers=lab).status_code == 200
    assert http.get('/api/v1/tickets', headers=lab).status_code == 403
    admin_token = _bearer(_new_token(http, admin, ['admin'])['token'])
    assert http.post('/api/v1/clients', json={'name': 'Fabrikam', 'slug': 'fabrikam'},
                     headers=admin_token).status_code == 201
    assert http.get('/api/v1/audit', headers=admin_token).status_code == 403  # audit needs "reports"
    reports = _bearer(_new_token(http, admin, ['reports'])['token'])
    assert http.get('/api/v1/audit', headers=reports).status_code == 200


def test_the_role_caps_the_scopes(make, http):
    agent, admin = make.agent(), make.agent(role='admin')
    refused = http.post('/api/v1/auth/tokens', json={'name': 'x', 'scopes': ['tickets:read', 'admin']},
                        headers=agent.headers)
    assert refused.status_code == 422 and 'admin' in str(refused.get_json()['error']['fields']['scopes'])
    scopes = {s['scope'] for s in http.get('/api/v1/auth/scopes', headers=agent.headers).get_json()}
    assert scopes == {'tickets:read', 'tickets:write', 'lab'}
    supervisor = make.agent(role='supervisor')
    token = _bearer(_new_token(http, supervisor, ['reports', 'tickets:read'])['token'])
    assert http.get('/api/v1/audit', headers=token).status_code == 200
    http.patch(f'/api/v1/agents/{supervisor.id}', json={'role': 'agent'}, headers=admin.headers)
    assert http.get('/api/v1/audit', headers=token).status_code == 403  # demoted: the role caps the token
    assert http.get('/api/v1/tickets', headers=token).status_code == 200


def test_tokens_expire_and_can_be_revoked(make, http):
    agent = make.agent()
    short = _new_token(http, agent, ['tickets:read'], days=1, name='short')
    long = _new_token(http, agent, ['tickets:read'], days=90, name='long')
    listed = http.get('/api/v1/auth/tokens', headers=agent.headers).get_json()
    assert [t['name'] for t in listed] == ['long', 'short'] and all('token' not in t for t in listed)
    assert listed[0]['hint'] == long['token'][:10]
    clock.advance(timedelta(days=1, seconds=1))
    expired = http.get('/api/v1/tickets', headers=_bearer(short['token']))
    assert expired.status_code == 401
    assert http.get('/api/v1/tickets', headers=_bearer(long['token'])).status_code == 200
    assert http.delete(f"/api/v1/auth/tokens/{long['id']}", headers=agent.headers).get_json()['active'] is False
    assert http.get('/api/v1/tickets', headers=_bearer(long['token'])).status_code == 401
    other = make.agent()
    assert http.delete(f"/api/v1/auth/tokens/{short['id']}", headers=other.headers).status_code == 404


def test_a_personal_token_cannot_manage_the_account(make, http):
    agent = make.agent()
    token = _bearer(_new_token(http, agent, ['tickets:read', 'tickets:write', 'lab'])['token'])
    for method, path in (('POST', '/api/v1/auth/tokens'), ('GET', '/api/v1/auth/tokens'),
                         ('POST', '/api/v1/auth/two-factor/setup'), ('PATCH', '/api/v1/auth/me')):
        response = http.open(path, method=method, json={'name': 'x', 'scopes': ['lab'], 'locale': 'es'},
                             headers=token)
        assert response.status_code == 403, (method, path)


def test_only_the_hash_is_stored_and_uses_are_noted(make, http):
    agent = make.agent()
    created = _new_token(http, agent, ['tickets:read'])
    http.get('/api/v1/tickets', headers=_bearer(created['token']))
    db.session.close()
    with db.engine.connect() as conn:
        row = conn.execute(sa.text('SELECT token_hash, last_used_at FROM api_tokens')).one()
    assert created['token'] not in row.token_hash and row.last_used_at is not None

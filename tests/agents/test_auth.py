"""Logging in, tokens, sessions with CSRF, and roles on every kind of route."""
from support.core.extensions import db
from support.agents.models import Agent


def test_token_for_good_credentials(make, http):
    agent = make.agent(email='Maria@Example.com')
    response = http.post('/api/v1/auth/token', json={'email': 'maria@example.com', 'password': agent.password})
    assert response.status_code == 200
    token = response.get_json()['token']
    me = http.get('/api/v1/auth/me', headers={'Authorization': f'Bearer {token}'})
    assert me.get_json()['email'] == 'maria@example.com'


def test_bad_credentials_and_tokens(make, http):
    agent = make.agent()
    assert http.post('/api/v1/auth/token', json={'email': agent.email, 'password': 'nope'}).status_code == 401
    assert http.get('/api/v1/tickets').status_code == 401
    for header in ('Bearer garbage', 'Basic abc', 'Bearer '):
        response = http.get('/api/v1/tickets', headers={'Authorization': header})
        assert response.status_code == 401, header


def test_password_is_hashed(make):
    agent = make.agent(password='correct horse battery')
    stored = db.session.get(Agent, agent.id).password_hash
    assert 'correct horse' not in stored and stored.startswith('pbkdf2:')


def test_deactivating_an_agent_revokes_its_tokens(make, http):
    admin, agent = make.agent(role='admin'), make.agent()
    assert http.get('/api/v1/auth/me', headers=agent.headers).status_code == 200
    assert http.patch(f'/api/v1/agents/{agent.id}', json={'active': False}, headers=admin.headers).status_code == 200
    assert http.get('/api/v1/auth/me', headers=agent.headers).status_code == 401
    assert http.post('/api/v1/auth/token', json={'email': agent.email, 'password': agent.password}).status_code == 401


def test_roles_are_enforced(make, http):
    agent, supervisor, admin = make.agent(), make.agent(role='supervisor'), make.agent(role='admin')
    new_client = {'name': 'Fabrikam', 'slug': 'fabrikam'}
    assert http.post('/api/v1/clients', json=new_client, headers=agent.headers).status_code == 403
    assert http.post('/api/v1/clients', json=new_client, headers=supervisor.headers).status_code == 403
    created = http.post('/api/v1/clients', json=new_client, headers=admin.headers)
    assert created.status_code == 201 and created.get_json()['secret']
    assert http.get('/api/v1/clients', headers=agent.headers).status_code == 403
    listed = http.get('/api/v1/clients', headers=supervisor.headers).get_json()
    assert 'secret' not in str(listed)
    assert http.get('/api/v1/agents', headers=agent.headers).status_code == 403
    new_agent = {'email': 'x@example.com', 'name': 'X', 'password': 'long-enough', 'languages': ['es'],
                 'site': 'Polanco'}
    assert http.post('/api/v1/agents', json=new_agent, headers=supervisor.headers).status_code == 403
    assert http.post('/api/v1/sites', json={'name': 'Polanco'}, headers=admin.headers).status_code == 201
    response = http.post('/api/v1/agents', json=new_agent, headers=admin.headers)
    assert response.status_code == 201 and response.get_json()['site'] == 'Polanco'
    forbidden = http.post('/api/v1/clients', json=new_client, headers={**agent.headers, 'Accept-Language': 'es'})
    assert forbidden.get_json()['error']['message'] == 'Esto requiere el rol Administrador.'


def test_session_login_needs_csrf_for_writes(make, http):
    agent = make.agent()
    ticket_id = make.ticket()['id']
    assert http.post('/api/v1/auth/login', json={'email': agent.email, 'password': agent.password}).status_code == 200
    assert http.get('/api/v1/auth/me').status_code == 200
    path = f'/api/v1/tickets/{ticket_id}'
    refused = http.patch(path, json={'priority': 'high'})
    assert refused.status_code == 400 and refused.get_json()['error']['code'] == 'csrf_failed'
    token = http.get('/api/v1/auth/csrf').get_json()['csrf_token']
    assert http.patch(path, json={'priority': 'high'}, headers={'X-CSRFToken': token}).status_code == 200
    assert http.post('/api/v1/auth/logout', headers={'X-CSRFToken': token}).status_code == 204
    assert http.get('/api/v1/auth/me').status_code == 401


def test_interface_language_preference_beats_the_browser(make, http):
    agent = make.agent()
    http.patch('/api/v1/auth/me', json={'locale': 'es'}, headers=agent.headers)
    response = http.get('/api/v1/tickets/424242', headers={**agent.headers, 'Accept-Language': 'en'})
    assert response.get_json()['error']['message'].startswith('El ticket 424242 no existe')


def test_duplicate_email_and_bad_agent_fields(make, http):
    admin = make.agent(role='admin')
    body = {'email': 'dup@example.com', 'name': 'Dup', 'password': 'long-enough'}
    assert http.post('/api/v1/agents', json=body, headers=admin.headers).status_code == 201
    assert http.post('/api/v1/agents', json=body, headers=admin.headers).status_code == 409
    bad = http.post('/api/v1/agents', json={**body, 'email': 'nope', 'languages': ['fr'], 'role': 'boss',
                                            'password': 'short'}, headers=admin.headers)
    assert bad.status_code == 422
    assert set(bad.get_json()['error']['fields']) == {'email', 'languages', 'role', 'password'}


def test_nul_characters_are_a_422_not_a_database_error(make, http):
    agent = make.agent()
    for path in ('/api/v1/auth/token', '/api/v1/auth/login'):
        response = http.post(path, json={'email': 'a\x00@example.com', 'password': 'x'},
                             headers={'Accept-Language': 'es'})
        assert response.status_code == 422
        assert response.get_json()['error']['fields']['email'] == ['No se permite el carácter NUL.']
    listing = http.get('/api/v1/tickets', query_string={'client': 'a\x00b'}, headers=agent.headers)
    assert listing.status_code == 422
    admin = make.agent(role='admin')
    assert http.post('/api/v1/clients/a%00b/keys', headers=admin.headers).status_code == 404

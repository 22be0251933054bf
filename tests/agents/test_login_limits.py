"""Password guessing: per-account and per-address limits with backoff, lockout an admin lifts, audit."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from support.audit.models import AuditEntry
from support.core import clock
from support.core.extensions import db


def _token(http, email, password, ip='10.0.0.1'):
    return http.post('/api/v1/auth/token', json={'email': email, 'password': password},
                     environ_base={'REMOTE_ADDR': ip})


def _fail(http, email, times, ip='10.0.0.1'):
    """``times`` wrong passwords, waiting out each backoff (the clock moves) so each one counts."""
    answers = []
    while len(answers) < times:
        response = _token(http, email, 'wrong-password', ip)
        if response.status_code == 429:
            clock.advance(timedelta(seconds=int(response.headers['Retry-After'])))
            continue
        answers.append(response.status_code)
    return answers


def test_wrong_passwords_back_off_exponentially_then_lock(make, http):
    agent = make.agent()
    assert _fail(http, agent.email, 3) == [401, 401, 401]  # three free tries
    waits = []
    for _ in range(6):  # each later failure doubles the wait: 2, 4, 8, 16, 32, 64 s
        assert _token(http, agent.email, 'wrong-password').status_code == 401
        limited = _token(http, agent.email, agent.password)  # even the right password waits
        assert limited.status_code == 429
        assert limited.get_json()['error']['code'] == 'too_many_attempts'
        waits.append(int(limited.headers['Retry-After']))
        clock.advance(timedelta(seconds=waits[-1]))
    assert waits == [2, 4, 8, 16, 32, 64]
    assert _token(http, agent.email, 'wrong-password').status_code == 401  # the 10th: locked out
    locked = _token(http, agent.email, agent.password)
    assert locked.status_code == 429 and int(locked.headers['Retry-After']) == 900
    clock.advance(timedelta(seconds=901))
    assert _token(http, agent.email, agent.password).status_code == 200
    assert _fail(http, agent.email, 4)[-1] == 401  # a success started the count again


def test_unknown_and_known_accounts_get_the_same_answers(make, http):
    agent = make.agent()
    known, unknown = _fail(http, agent.email, 4), _fail(http, 'nobody@example.com', 4)
    assert known == unknown == [401, 401, 401, 401]
    answers = [_token(http, email, 'x') for email in (agent.email, 'nobody@example.com')]
    assert [r.status_code for r in answers] == [429, 429]
    assert answers[0].get_json() == answers[1].get_json()
    assert answers[0].headers['Retry-After'] == answers[1].headers['Retry-After']


def test_every_password_route_shares_the_limit(make, http, app):
    agent = make.agent()
    _fail(http, agent.email, 2)
    login = http.post('/api/v1/auth/login', json={'email': agent.email, 'password': 'bad'},
                      environ_base={'REMOTE_ADDR': '10.0.0.1'})
    assert login.status_code == 401
    form = app.test_client()
    page = form.get('/login')
    csrf = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    refused = form.post('/login', data={'email': agent.email, 'password': 'bad', 'csrf_token': csrf},
                        environ_base={'REMOTE_ADDR': '10.0.0.1'})
    assert refused.status_code == 401  # the fourth failure: the next attempt must wait
    limited = form.post('/login', data={'email': agent.email, 'password': agent.password, 'csrf_token': csrf},
                        environ_base={'REMOTE_ADDR': '10.0.0.1'})
    assert limited.status_code == 429 and 'Retry-After' in limited.headers
    assert 'try again in' in limited.get_data(as_text=True)
    assert http.post('/api/v1/auth/login', json={'email': agent.email, 'password': agent.password},
                     environ_base={'REMOTE_ADDR': '10.0.0.1'}).status_code == 429


def test_one_address_guessing_many_accounts_is_limited(make, http):
    for n in range(20):
        assert _token(http, f'victim{n}@example.com', 'guess', ip='203.0.113.7').status_code == 401
    assert _token(http, 'victim21@example.com', 'guess', ip='203.0.113.7').status_code == 401
    assert _token(http, 'victim22@example.com', 'guess', ip='203.0.113.7').status_code == 429
    agent = make.agent()
    assert _token(http, agent.email, agent.password, ip='198.51.100.1').status_code == 200  # others still get in


def test_an_admin_lists_and_lifts_a_lockout(make, http):
    admin, agent, supervisor = make.agent(role='admin'), make.agent(), make.agent(role='supervisor')
    _fail(http, agent.email, 10)
    assert _token(http, agent.email, agent.password).status_code == 429
    lockouts = http.get('/api/v1/agents/lockouts', headers=admin.headers).get_json()
    mine = [entry for entry in lockouts if entry['key'] == agent.email]
    assert mine and mine[0]['kind'] == 'account' and mine[0]['failures'] == 10
    body = {'kind': 'account', 'key': agent.email}
    assert http.post('/api/v1/agents/lockouts/lift', json=body, headers=supervisor.headers).status_code == 403
    lifted = http.post('/api/v1/agents/lockouts/lift', json=body, headers=admin.headers)
    assert lifted.get_json() == {'lifted': True}
    assert _token(http, agent.email, agent.password).status_code == 200
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == 'login.lockout_lifted')).one()
    assert (entry.actor_id, entry.target_id) == (admin.id, agent.email)


def test_sign_ins_are_audited_without_the_password(make, http):
    agent = make.agent(password='the-right-one')
    _token(http, agent.email, 'not-the-right-one')
    _token(http, 'ghost@example.com', 'whatever')
    _token(http, agent.email, 'the-right-one', ip='192.0.2.9')
    rows = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action.like('login.%'))
                              .order_by(AuditEntry.id)).all()
    assert [(r.action, r.actor_type, r.actor_name) for r in rows] == [
        ('login.failed', 'agent', agent.email), ('login.failed', 'anonymous', 'ghost@example.com'),
        ('login.succeeded', 'agent', agent.email)]
    assert rows[-1].ip == '192.0.2.9' and rows[0].detail['failed'] == 'password'
    assert 'right-one' not in str([(r.detail, r.actor_name, r.target_id) for r in rows])


@pytest.mark.parametrize('path', ['/api/v1/auth/token', '/api/v1/auth/login'])
def test_the_retry_after_answer_is_translated(make, http, path):
    agent = make.agent()
    _fail(http, agent.email, 4)
    response = http.post(path, json={'email': agent.email, 'password': 'x'}, environ_base={'REMOTE_ADDR': '10.0.0.1'},
                         headers={'Accept-Language': 'es'})
    assert response.status_code == 429
    assert response.get_json()['error']['message'].startswith('Demasiados intentos fallidos')

"""Two-factor sign-in: set-up, codes at sign-in (once each), recovery codes, enforcement per role."""
from datetime import timedelta

import pyotp
import sqlalchemy as sa

from support.agents.models import Agent
from support.audit.models import AuditEntry
from support.core import clock
from support.core.extensions import db


def _code(secret: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(clock.utcnow().timestamp() + 30 * offset_steps)


def _turn_on(http, agent) -> tuple[str, list[str]]:
    setup = http.post('/api/v1/auth/two-factor/setup', headers=agent.headers)
    assert setup.status_code == 200, setup.get_json()
    secret = setup.get_json()['secret']
    assert setup.get_json()['otpauth_uri'].startswith('otpauth://totp/')
    enabled = http.post('/api/v1/auth/two-factor/enable', json={'code': _code(secret)}, headers=agent.headers)
    assert enabled.status_code == 200, enabled.get_json()
    return secret, enabled.get_json()['recovery_codes']


def _sign_in(http, agent, otp=None):
    body = {'email': agent.email, 'password': agent.password, **({'otp': otp} if otp else {})}
    return http.post('/api/v1/auth/token', json=body)


def test_set_up_then_sign_in_needs_a_code_that_works_once(make, http):
    agent = make.agent()
    secret, recovery = _turn_on(http, agent)
    assert len(recovery) == 10 and len(set(recovery)) == 10
    assert http.get('/api/v1/auth/two-factor', headers=agent.headers).get_json() == {
        'enabled': True, 'required': False, 'recovery_codes_left': 10}
    asked = _sign_in(http, agent)
    assert asked.status_code == 401 and asked.get_json()['error']['code'] == 'otp_required'
    clock.advance(timedelta(seconds=30))  # the set-up code's step is spent: a new one
    code = _code(secret)
    assert _sign_in(http, agent, code).status_code == 200
    replayed = _sign_in(http, agent, code)
    assert replayed.status_code == 401 and replayed.get_json()['error']['code'] == 'otp_invalid'
    assert _sign_in(http, agent, _code(secret, 1)).status_code == 200  # the next step (clock drift) works
    assert _sign_in(http, agent, '000000').status_code == 401


def test_recovery_codes_work_once_each(make, http):
    agent = make.agent()
    _secret, recovery = _turn_on(http, agent)
    assert _sign_in(http, agent, recovery[0]).status_code == 200
    assert _sign_in(http, agent, recovery[0]).status_code == 401
    assert _sign_in(http, agent, recovery[1].upper().replace('-', '')).status_code == 200
    assert http.get('/api/v1/auth/two-factor', headers=agent.headers).get_json()['recovery_codes_left'] == 8


def test_wrong_codes_count_against_the_sign_in_limit(make, http):
    agent = make.agent()
    _turn_on(http, agent)
    answers = [_sign_in(http, agent, '123456').status_code for _ in range(4)]
    assert answers == [401, 401, 401, 401]
    assert _sign_in(http, agent, '123456').status_code == 429


def test_the_secret_and_codes_are_not_stored_in_clear(make, http):
    agent = make.agent()
    secret, recovery = _turn_on(http, agent)
    db.session.close()
    with db.engine.connect() as conn:
        row = conn.execute(sa.text('SELECT totp_secret FROM agents WHERE id = :id'), {'id': agent.id}).scalar()
        codes = conn.execute(sa.text('SELECT code_hash FROM recovery_codes')).scalars().all()
    assert secret not in row and row.startswith('gAAAAA')
    assert not set(recovery) & set(codes) and len(codes) == 10


def test_turning_it_off_needs_password_and_code(make, http):
    agent = make.agent()
    secret, _recovery = _turn_on(http, agent)
    clock.advance(timedelta(seconds=30))
    wrong = http.post('/api/v1/auth/two-factor/disable', json={'password': 'nope', 'code': _code(secret)},
                      headers=agent.headers)
    assert wrong.status_code == 401
    off = http.post('/api/v1/auth/two-factor/disable', json={'password': agent.password, 'code': _code(secret)},
                    headers=agent.headers)
    assert off.status_code == 200 and off.get_json()['enabled'] is False
    assert _sign_in(http, agent).status_code == 200
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.action.like('two_factor.%'))
                                 .order_by(AuditEntry.id)).all()
    assert actions == ['two_factor.enabled', 'two_factor.change_refused', 'two_factor.disabled']


def test_a_role_can_require_it(app, make, http, monkeypatch):
    monkeypatch.setitem(app.config, 'SUPPORT_2FA_REQUIRED_ROLES', ['supervisor', 'admin'])
    supervisor, agent = make.agent(role='supervisor'), make.agent()
    blocked = http.get('/api/v1/agents', headers=supervisor.headers)
    assert blocked.status_code == 403 and blocked.get_json()['error']['code'] == 'two_factor_required'
    assert http.get('/api/v1/tickets', headers=agent.headers).status_code == 200  # agents: not required
    assert http.get('/api/v1/auth/me', headers=supervisor.headers).status_code == 200
    assert http.get('/api/v1/auth/two-factor', headers=supervisor.headers).get_json()['required'] is True
    secret, _codes = _turn_on(http, supervisor)
    assert http.get('/api/v1/agents', headers=supervisor.headers).status_code == 200
    clock.advance(timedelta(seconds=30))
    refused = http.post('/api/v1/auth/two-factor/disable', json={'password': supervisor.password,
                                                                  'code': _code(secret)}, headers=supervisor.headers)
    assert refused.status_code == 403 and refused.get_json()['error']['code'] == 'two_factor_required'


def test_an_admin_resets_a_lost_device(make, http):
    admin, agent = make.agent(role='admin'), make.agent()
    _turn_on(http, agent)
    assert _sign_in(http, agent).status_code == 401
    reset = http.delete(f'/api/v1/agents/{agent.id}/two-factor', headers=admin.headers)
    assert reset.status_code == 200 and reset.get_json()['two_factor'] is False
    assert _sign_in(http, agent).status_code == 200
    assert db.session.get(Agent, agent.id).totp_secret is None
    assert db.session.scalar(sa.select(AuditEntry.actor_id).where(AuditEntry.action == 'two_factor.reset')) == admin.id


def test_the_login_form_asks_for_the_code_in_a_second_step(make, app):
    agent = make.agent()
    http = app.test_client()
    secret, _codes = _turn_on(http, agent)
    clock.advance(timedelta(seconds=30))
    page = http.get('/login').get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    first = http.post('/login', data={'email': agent.email, 'password': agent.password, 'csrf_token': csrf})
    assert first.status_code == 401 and 'name="otp"' in first.get_data(as_text=True)
    assert agent.password not in first.get_data(as_text=True)
    csrf = first.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    second = http.post('/login', data={'otp': _code(secret), 'csrf_token': csrf})
    assert second.status_code == 302
    assert http.get('/api/v1/auth/me').get_json()['id'] == agent.id


def test_odd_codes_are_refused_not_crashed(make, http):
    agent = make.agent()
    http.post('/api/v1/auth/two-factor/setup', headers=agent.headers)
    for code in ('8^î@ËF]', '١٢٣٤٥٦', '12345', 'x' * 41):
        response = http.post('/api/v1/auth/two-factor/enable', json={'code': code}, headers=agent.headers)
        assert response.status_code == 422, code
    _turn_on_twice = http.post('/api/v1/auth/token', json={'email': agent.email, 'password': agent.password,
                                                           'otp': '١٢٣٤٥٦'})
    assert _turn_on_twice.status_code == 200  # two-factor is not on yet: the code is not asked for

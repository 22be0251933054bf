"""Who has a ticket open (``ticket.view`` / ``ticket.leave`` / ``ticket.viewers``) with two real Socket.IO clients,
and the two stores behind it (in the process; in Redis, shared by workers)."""
import pytest

from support.live import ticket_viewers as viewers

from ..conftest import PG_URL, REDIS_PREFIX, REDIS_URL
from ..servers import EventLog, GunicornServer, ThreadServer, scratch_postgres


@pytest.fixture
def server(app):
    with ThreadServer(app) as running:
        yield running


def _view(log, ticket_id, event='ticket.view'):
    return log.client.call(event, {'ticket_id': ticket_id}, namespace='/live', timeout=10)


def _names(payload):
    return [v['name'] for v in payload['viewers']]


def test_two_agents_see_each_other_and_a_disconnect_is_noticed(server, make):
    creds = make.client()
    lucia = make.agent(name='Lucía Hernández')
    sergio = make.agent(role='supervisor', name='Sergio Supervisor')
    ticket = make.ticket(creds)
    first, second = EventLog(server.url, lucia.token).connect(), EventLog(server.url, sergio.token).connect()
    try:
        answer = _view(first, ticket['id'])
        assert answer == {'ok': True, 'viewers': [{'id': lucia.id, 'name': 'Lucía Hernández'}]}
        assert _names(_view(second, ticket['id'])) == ['Lucía Hernández', 'Sergio Supervisor']
        both = lambda d: d['ticket_id'] == ticket['id'] and len(d['viewers']) == 2  # noqa: E731
        first.wait_for('ticket.viewers', where=both)

        first.events.clear()
        assert _view(second, ticket['id'], 'ticket.leave') == {'ok': True}
        alone = first.wait_for('ticket.viewers', where=lambda d: len(d['viewers']) == 1)
        assert _names(alone) == ['Lucía Hernández']

        _view(second, ticket['id'])
        second.events.clear()
        first.client.disconnect()  # a closed tab: nobody says "leave"
        gone = second.wait_for('ticket.viewers', where=lambda d: _names(d) == ['Sergio Supervisor'])
        assert gone['ticket_id'] == ticket['id']
        assert viewers.viewers_of(ticket['id']) == [{'id': sergio.id, 'name': 'Sergio Supervisor'}]
    finally:
        first.close()
        second.close()


def test_opening_another_ticket_leaves_the_first(server, make):
    creds = make.client()
    ana, ben = make.agent(name='Ana'), make.agent(name='Ben')
    one, two = make.ticket(creds), make.ticket(creds)
    a, b = EventLog(server.url, ana.token).connect(), EventLog(server.url, ben.token).connect()
    try:
        _view(a, one['id'])
        _view(b, one['id'])
        b.events.clear()
        assert _names(_view(a, two['id'])) == ['Ana']
        assert _names(b.wait_for('ticket.viewers', where=lambda d: d['ticket_id'] == one['id'])) == ['Ben']
        assert 'ticket.viewers' not in [e for e, d, _t in b.events if d.get('ticket_id') == two['id']]
    finally:
        a.close()
        b.close()


def test_a_ticket_one_may_not_see_and_bad_input_are_refused(server, make):
    mine, other = make.client(), make.client()
    agent = make.agent(clients=[mine.slug])
    stranger = make.ticket(other)
    log = EventLog(server.url, agent.token).connect()
    try:
        refused = _view(log, stranger['id'])
        assert refused['ok'] is False and 'not yours to see' in refused['error']
        for bad in (None, 'x', {'ticket_id': 'abc'}, {'ticket_id': True}, {'ticket_id': -1}, {'ticket_id': 2 ** 70}):
            answer = log.client.call('ticket.view', bad, namespace='/live', timeout=10)
            assert answer['ok'] is False
        assert viewers.viewers_of(stranger['id']) == []
        assert log.client.call('ticket.leave', {'ticket_id': stranger['id']}, namespace='/live', timeout=10)['ok']
    finally:
        log.close()


def test_the_process_store_drops_viewers_not_heard_from():
    store = viewers.MemoryViewers()
    store.add(7, 'sid-a', 1, 'Ana', now=1000)
    store.add(7, 'sid-b', 2, 'Ben', now=1000 + viewers.STALE)
    assert sorted(r[1] for r in store.rows(7, now=1000 + viewers.STALE)) == ['Ana', 'Ben']
    assert [r[1] for r in store.rows(7, now=1001 + viewers.STALE)] == ['Ben']  # Ana's worker went silent
    store.remove(7, 'sid-b')
    assert store.rows(7, now=1001) == []


@pytest.mark.skipif(not REDIS_URL, reason='needs Redis (SUPPORT_TEST_REDIS_URL)')
def test_the_redis_store_is_shared_by_workers(app):
    with app.app_context():
        app.config['SUPPORT_REDIS_PREFIX'] = REDIS_PREFIX
        one, two = viewers.RedisViewers(REDIS_URL), viewers.RedisViewers(REDIS_URL)  # two workers
        one.add(9, 'sid-a', 1, 'Ana', now=1000)
        two.add(9, 'sid-b', 2, 'Ben', now=1010)
        assert sorted(r[1] for r in two.rows(9, now=1020)) == ['Ana', 'Ben']
        assert [r[1] for r in one.rows(9, now=1001 + viewers.STALE)] == ['Ben']
        one.remove(9, 'sid-b')
        assert two.rows(9, now=1020) == []


@pytest.mark.skipif(not (PG_URL and REDIS_URL), reason='needs PostgreSQL and Redis')
def test_viewers_on_two_worker_processes_see_each_other(tmp_path):
    """Two gunicorn processes sharing PostgreSQL and Redis: one agent on each, the same ticket."""
    from support import create_app
    from support.agents.auth import issue_token
    from support.agents.operations import create_agent
    from support.clients.operations import create_client
    from support.core.extensions import db
    url = scratch_postgres(PG_URL, 'viewers')
    app = create_app({'TESTING': True, 'SQLALCHEMY_DATABASE_URI': url, 'SECRET_KEY': 'viewers-secret',
                      'SUPPORT_PASSWORD_METHOD': 'pbkdf2:sha256:1000', 'SUPPORT_REDIS_URL': None,
                      'RATELIMIT_STORAGE_URI': 'memory://'})
    with app.app_context():
        db.drop_all()
        db.create_all()
        _client, key, secret = create_client('Acme', 'acme')
        ana = create_agent('ana@example.com', 'Ana', 'password-123', 'agent', all_clients=True)
        ben = create_agent('ben@example.com', 'Ben', 'password-123', 'agent', all_clients=True)
        db.session.commit()
        tokens, key_id = (issue_token(ana), issue_token(ben)), key.key_id
        db.session.remove()
    env = {'SUPPORT_DATABASE_URL': url, 'SUPPORT_REDIS_URL': REDIS_URL, 'SUPPORT_REDIS_PREFIX': REDIS_PREFIX,
           'SUPPORT_SECRET_KEY': 'viewers-secret', 'SUPPORT_JOBS': 'memory', 'SUPPORT_INSTANCE_PATH': str(tmp_path)}
    log = str(tmp_path / 'viewers.log')
    with GunicornServer(env, log_path=log) as one, GunicornServer(env, log_path=log) as two:
        ticket = _signed_ticket(one.url, key_id, secret)
        a, b = EventLog(one.url, tokens[0]).connect(), EventLog(two.url, tokens[1]).connect()
        try:
            assert _view(a, ticket)['ok']
            assert _names(_view(b, ticket)) == ['Ana', 'Ben']  # Ana is known to the other process
            a.wait_for('ticket.viewers', where=lambda d: _names(d) == ['Ana', 'Ben'])  # crossed the queue
            b.events.clear()
            a.client.disconnect()
            assert b.wait_for('ticket.viewers', where=lambda d: _names(d) == ['Ben'])['ticket_id'] == ticket
        finally:
            a.close()
            b.close()


def _signed_ticket(base, key_id, secret) -> int:
    import json
    import time
    import requests
    from support.core.signing import sign
    raw = json.dumps({'subject': 'Two workers', 'body': 'The modem drops every evening.', 'channel': 'email',
                      'language': 'en', 'customer': {'name': 'Carl', 'email': 'carl@example.com'}}).encode()
    ts = int(time.time())
    response = requests.post(base + '/api/v1/intake/tickets', data=raw, timeout=30, headers={
        'X-Support-Key': key_id, 'X-Support-Timestamp': str(ts), 'X-Support-Signature': sign(secret, ts, raw),
        'Content-Type': 'application/json'})
    assert response.status_code == 201, response.text
    return response.json()['id']

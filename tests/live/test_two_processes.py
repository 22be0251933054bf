"""Two real gunicorn processes on PostgreSQL + Redis: live events cross processes, and a storm
of tickets and presence changes at both never assigns twice, overfills an agent or loses a ticket.

Skipped unless SUPPORT_TEST_DATABASE_URL and SUPPORT_TEST_REDIS_URL are set. Uses a scratch
database named after the test database with ``_procs`` appended.
"""
import json
import os
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import sqlalchemy as sa

from ..conftest import PG_URL, REDIS_URL, clear_redis
from ..servers import EventLog, GunicornServer, scratch_postgres

pytestmark = pytest.mark.skipif(not (PG_URL and REDIS_URL), reason='needs PostgreSQL and Redis')

SECRET = 'two-process-secret'
TICKETS = 1500
AGENTS = 24


@pytest.fixture(scope='module')
def world():
    """A fresh scratch database with a client, a supervisor and agents; the app to inspect it."""
    from support import create_app
    from support.agents.auth import issue_token
    from support.agents.availability import set_presence
    from support.agents.operations import create_agent
    from support.agents.presence import Presence
    from support.clients.operations import create_client
    from support.core.extensions import db
    url = scratch_postgres(PG_URL, 'procs')
    app = create_app({'TESTING': True, 'SQLALCHEMY_DATABASE_URI': url, 'SECRET_KEY': SECRET,
                      'SUPPORT_PASSWORD_METHOD': 'pbkdf2:sha256:1000', 'SUPPORT_REDIS_URL': None,
                      'RATELIMIT_STORAGE_URI': 'memory://'})
    with app.app_context():
        db.drop_all()
        db.create_all()
        client, key, secret = create_client('Acme', 'acme')
        boss = create_agent('boss@example.com', 'Boss', 'password-123', 'supervisor', all_clients=True)
        agents = [create_agent(f'a{i}@example.com', f'Agent {i}', 'password-123', 'agent',
                               ['en', 'es'] if i % 3 == 0 else ['en'], all_clients=True) for i in range(AGENTS)]
        db.session.flush()
        for agent in agents:
            set_presence(agent.id, Presence.available)
        db.session.commit()
        data = {'key_id': key.key_id, 'secret': secret, 'boss': issue_token(boss),
                'agents': {a.id: issue_token(a) for a in agents}}
        db.session.remove()
    clear_redis()
    yield app, url, data


def _env(url):
    return {'SUPPORT_DATABASE_URL': url, 'SUPPORT_REDIS_URL': REDIS_URL, 'SUPPORT_SECRET_KEY': SECRET,
            'SUPPORT_JOBS': 'memory', 'SUPPORT_INTAKE_RATE_LIMIT': '1000000/minute',
            'SUPPORT_INSTANCE_PATH': os.path.join(os.environ['SUPPORT_INSTANCE_PATH'], 'two-processes'),
            'SUPPORT_QUEUE_UPDATE_INTERVAL': '0.5'}


def _post_ticket(session, base, data, n):
    from support.core.signing import sign
    body = {'subject': f'Storm {n}', 'body': 'The modem keeps dropping the connection every evening.',
            'channel': random.choice(['chat', 'chat', 'email', 'sms', 'phone']), 'language': 'en',
            'customer': {'name': f'Customer {n % 300}', 'email': f'c{n % 300}@example.com'}}
    raw = json.dumps(body).encode()
    ts = int(time.time())
    headers = {'X-Support-Key': data['key_id'], 'X-Support-Timestamp': str(ts),
               'X-Support-Signature': sign(data['secret'], ts, raw), 'Content-Type': 'application/json'}
    return session.post(base + '/api/v1/intake/tickets', data=raw, headers=headers, timeout=30)


def test_event_crosses_processes_and_storm_keeps_invariants(world):
    app, url, data = world
    log = os.path.join(os.environ['SUPPORT_INSTANCE_PATH'], 'two-processes.log')
    with GunicornServer(_env(url), log_path=log) as a, GunicornServer(_env(url), log_path=log) as b:
        supervisor = EventLog(b.url, data['boss']).connect()
        try:
            supervisor.wait_for('queue.snapshot', timeout=15)
            first = _post_ticket(requests.Session(), a.url, data, 0)
            assert first.status_code == 201, first.text
            ticket_id = first.json()['id']
            seen = supervisor.wait_for('ticket.created', timeout=10, where=lambda d: d['id'] == ticket_id)
            assert seen['subject'] == 'Storm 0'
            posted = _storm([a.url, b.url], data)
        finally:
            supervisor.close()
    _settle(app)
    _check_invariants(app, posted + 1)


def _storm(urls, data) -> int:
    """Tickets, presence flips and offer answers at both processes at once; returns tickets created."""
    stop = threading.Event()
    created = []

    def tickets(worker):
        session, made = requests.Session(), 0
        for n in range(worker, TICKETS, 6):
            response = _post_ticket(session, urls[n % 2], data, n + 1)
            assert response.status_code == 201, response.text
            made += 1
        return made

    def agents(worker):
        session, rng = requests.Session(), random.Random(worker)
        ids = list(data['agents'])
        while not stop.is_set():
            agent_id = rng.choice(ids)
            headers = {'Authorization': 'Bearer ' + data['agents'][agent_id]}
            base = urls[rng.randrange(2)]
            action = rng.random()
            if action < 0.3:
                status = rng.choice(['available', 'available', 'away', 'offline'])
                body = {'status': status, **({'reason': 'break'} if status == 'away' else {})}
                assert session.put(base + '/api/v1/routing/me/presence', json=body, headers=headers).status_code == 200
            else:
                for offer in session.get(base + '/api/v1/routing/offers', headers=headers).json()[:2]:
                    verb = 'accept' if rng.random() < 0.8 else 'decline'
                    url = f"{base}/api/v1/routing/offers/{offer['id']}/{verb}"
                    code = session.post(url, headers=headers).status_code
                    assert code in (200, 409), code

    started = time.monotonic()
    with ThreadPoolExecutor(10) as pool:
        flippers = [pool.submit(agents, w) for w in range(4)]
        makers = [pool.submit(tickets, w) for w in range(6)]
        created = sum(f.result() for f in makers)
        stop.set()
        for f in flippers:
            f.result()
    assert time.monotonic() - started < 90
    return created


def _settle(app):
    """Everybody available and a rebalance: whatever can be routed is."""
    from support.agents.availability import set_presence
    from support.agents.presence import AgentState, Presence
    from support.core.extensions import db
    from support.routing import operations
    with app.app_context():
        for agent_id in db.session.scalars(sa.select(AgentState.agent_id)).all():
            set_presence(agent_id, Presence.available)
        db.session.commit()
        operations.run_pending()
        operations.rebalance()
        operations.run_pending()
        db.session.remove()


def _check_invariants(app, expected_tickets):
    from support.core.extensions import db
    with app.app_context():
        q = lambda sql: db.session.execute(sa.text(sql)).all()  # noqa: E731
        assert q('SELECT count(*) FROM tickets')[0][0] == expected_tickets
        # no ticket lost: every ticket has exactly one routing item
        assert q('SELECT count(*) FROM routing_items')[0][0] == expected_tickets
        # never assigned twice: one accepted offer at most, and the item agrees with the ticket
        assert q("SELECT ticket_id FROM offers WHERE status = 'accepted' GROUP BY ticket_id HAVING count(*) > 1") == []
        assert q("SELECT ticket_id FROM offers WHERE status = 'pending' GROUP BY ticket_id HAVING count(*) > 1") == []
        assert q("""SELECT i.ticket_id FROM routing_items i JOIN tickets t ON t.id = i.ticket_id
                    WHERE (i.state = 'assigned' AND t.assignee_id IS DISTINCT FROM i.agent_id)
                       OR (i.state IN ('waiting', 'offered') AND t.assignee_id IS NOT NULL)""") == []
        assert q("""SELECT i.ticket_id FROM routing_items i LEFT JOIN offers o
                      ON o.ticket_id = i.ticket_id AND o.status = 'pending'
                    WHERE (i.state = 'offered') <> (o.id IS NOT NULL)
                       OR (i.state = 'offered' AND o.agent_id <> i.agent_id)""") == []
        # never over capacity, and the load counters match the work held
        held = q("""SELECT l.agent_id, l.channel, l.capacity, l.load,
                      (SELECT count(*) FROM routing_items i WHERE i.agent_id = l.agent_id AND i.channel = l.channel
                         AND i.state IN ('assigned', 'offered')) AS held
                    FROM agent_loads l""")
        assert [r for r in held if r.held > r.capacity or r.load != r.held] == []
        assigned = q("SELECT count(*) FROM routing_items WHERE state IN ('assigned', 'offered')")[0][0]
        assert assigned > 0
        # nothing waits while an agent who could take it has room
        stuck = q("""SELECT i.ticket_id FROM routing_items i
                     WHERE i.state = 'waiting' AND EXISTS (
                       SELECT 1 FROM agent_loads l JOIN agent_states s ON s.agent_id = l.agent_id
                       JOIN agents a ON a.id = l.agent_id
                       WHERE l.channel = i.channel AND l.load < l.capacity AND s.status = 'available'
                         AND a.languages::jsonb ? i.language
                         AND NOT (i.excluded::jsonb @> jsonb_build_array(jsonb_build_array(l.agent_id))))""")
        assert stuck == []
        db.session.remove()

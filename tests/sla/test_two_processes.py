"""Two worker processes sweep the same overdue SLA timers at once (PostgreSQL + Redis): every
warning and breach fires exactly once, in history, in callbacks and over a live socket.

Skipped unless SUPPORT_TEST_DATABASE_URL and SUPPORT_TEST_REDIS_URL are set. Uses a scratch
database named after the test database with ``_sla_procs`` appended.
"""
import json
import os
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from ..conftest import PG_URL, REDIS_URL
from ..servers import ROOT, EventLog, GunicornServer, scratch_postgres

pytestmark = pytest.mark.skipif(not (PG_URL and REDIS_URL), reason='needs PostgreSQL and Redis')

SECRET = 'sla-two-process-secret'
TICKETS = 60
SWEEPER = """
import json, sys, time
from support import create_app
from support.core.extensions import db
from support.sla import timers
app = create_app()
with app.app_context():
    db.session.execute(db.text('SELECT 1'))
    db.session.commit()
    start = float(sys.argv[1])
    while time.time() < start:
        time.sleep(0.005)
    fired = sum(timers.sweep()['fired'] for _ in range(3))
    print(json.dumps({'fired': fired}))
"""


@pytest.fixture(scope='module')
def world():
    from support import create_app
    from support.agents.auth import issue_token
    from support.agents.operations import create_agent
    from support.clients.operations import create_client
    from support.clients.webhooks import create_subscription
    from support.core.extensions import db
    url = scratch_postgres(PG_URL, 'sla_procs')
    app = create_app({'TESTING': True, 'SQLALCHEMY_DATABASE_URI': url, 'SECRET_KEY': SECRET,
                      'SUPPORT_PASSWORD_METHOD': 'pbkdf2:sha256:1000', 'SUPPORT_REDIS_URL': None,
                      'RATELIMIT_STORAGE_URI': 'memory://', 'SUPPORT_OUTBOUND_ALLOW_PRIVATE': True})
    with app.app_context():
        db.drop_all()
        db.create_all()
        client, _key, _secret = create_client('Acme', 'acme')
        boss = create_agent('boss@example.com', 'Boss', 'password-123', 'supervisor', all_clients=True)
        create_subscription(client, 'http://127.0.0.1:9/hooks', ['sla.warning', 'sla.breached'])
        db.session.commit()
        token = issue_token(boss)
        db.session.remove()
    yield app, url, token


def _env(url):
    return {**os.environ, 'SUPPORT_DATABASE_URL': url, 'SUPPORT_REDIS_URL': REDIS_URL, 'SUPPORT_SECRET_KEY': SECRET,
            'SUPPORT_JOBS': 'memory', 'SUPPORT_INSTANCE_PATH': os.path.join(os.environ['SUPPORT_INSTANCE_PATH'],
                                                                            'sla-two-processes')}


def _overdue_tickets(app):
    """Tickets whose answer clocks are due and past their warning point right now (real time)."""
    from support.clients.models import Client
    from support.core.extensions import db
    from support.sla.models import SlaClock
    from support.sla.policies import create_policy
    from support.tickets.models import Channel
    from support.tickets.operations import SYSTEM, CustomerContact, InboundTicket, ingest
    with app.app_context():
        client = db.session.scalar(sa.select(Client))
        create_policy(client, {'name': 'Chat', 'targets': {'answer': 60}, 'conditions': {}})
        db.session.commit()
        for n in range(TICKETS):
            ingest(client, InboundTicket(channel=Channel.chat, subject=f'Chat {n}', body='My modem is down again.',
                                         customer=CustomerContact(email=f'c{n}@example.com'), language='en'), SYSTEM)
        db.session.execute(sa.update(SlaClock).values(warn_at=sa.func.now() - sa.text("interval '2 seconds'"),
                                                      due_at=sa.func.now() - sa.text("interval '1 second'")))
        db.session.commit()
        db.session.remove()


def test_two_sweepers_fire_each_timer_once(world):
    app, url, token = world
    _overdue_tickets(app)
    log = os.path.join(os.environ['SUPPORT_INSTANCE_PATH'], 'sla-two-processes.log')
    os.makedirs(os.path.dirname(log), exist_ok=True)
    with GunicornServer(_env(url), log_path=log) as server:
        supervisor = EventLog(server.url, token).connect()
        try:
            supervisor.wait_for('queue.snapshot', timeout=15)
            start = time.time() + 3
            sweepers = [subprocess.Popen([sys.executable, '-c', SWEEPER, str(start)], cwd=ROOT, env=_env(url),
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
            results = [p.communicate(timeout=120) for p in sweepers]
            assert all(p.returncode == 0 for p in sweepers), [err.decode()[-2000:] for _out, err in results]
            fired = [json.loads(out.decode().strip().splitlines()[-1])['fired'] for out, _err in results]
            assert sum(fired) == 2 * TICKETS, fired  # a warning and a breach per ticket, whoever fired it
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and supervisor.names().count('sla.breached') < TICKETS:
                time.sleep(0.1)
            time.sleep(1)  # a duplicate would arrive now
            names = supervisor.names()
        finally:
            supervisor.close()
    assert names.count('sla.breached') == TICKETS and names.count('sla.warning') == TICKETS
    breached = [d['ticket']['id'] for name, d, _at in supervisor.events if name == 'sla.breached']
    assert len(set(breached)) == TICKETS
    with app.app_context():
        from support.core.extensions import db
        q = lambda sql: db.session.execute(sa.text(sql)).all()  # noqa: E731
        assert q("SELECT count(*) FROM sla_clocks WHERE breached_at IS NULL OR warned_at IS NULL") == [(0,)]
        per_ticket = q("""SELECT ticket_id, kind, count(*) FROM ticket_events
                          WHERE kind IN ('sla_warning', 'sla_breached') GROUP BY ticket_id, kind""")
        assert len(per_ticket) == 2 * TICKETS and {n for _t, _k, n in per_ticket} == {1}
        deliveries = q("SELECT event, count(*) FROM webhook_deliveries GROUP BY event ORDER BY event")
        assert deliveries == [('sla.breached', TICKETS), ('sla.warning', TICKETS)]
        db.session.remove()

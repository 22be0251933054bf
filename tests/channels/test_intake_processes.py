"""Idempotent intake when the retries race in two server processes on PostgreSQL.

Two gunicorn processes share a scratch database; every round fires the same signed
request with one Idempotency-Key at both at the same moment. Exactly one answer is 201,
the others are 200 with the same ticket, and the database holds one ticket per key.
"""
import json
import threading
import time

import pytest
import requests
import sqlalchemy as sa

from support.core.signing import sign

from ..conftest import PG_URL
from ..servers import GunicornServer, scratch_postgres

pytestmark = pytest.mark.skipif(not PG_URL, reason='needs PostgreSQL')

ROUNDS, PER_SERVER = 8, 4
SECRET_KEY = 'intake-processes'


@pytest.fixture(scope='module')
def database():
    from support import create_app
    from support.clients.operations import create_client
    from support.core.extensions import db
    url = scratch_postgres(PG_URL, 'intake')
    # the servers' secret key: without SUPPORT_ENCRYPTION_KEYS, stored secrets are encrypted with a key derived from it
    app = create_app({'TESTING': True, 'SQLALCHEMY_DATABASE_URI': url, 'SUPPORT_REDIS_URL': None,
                      'SECRET_KEY': SECRET_KEY})
    with app.app_context():
        db.drop_all()
        db.create_all()
        _client, key, secret = create_client('Racing Retries', 'racing', intake_rate_limit='100000/minute')
        db.session.commit()
        creds = {'key_id': key.key_id, 'secret': secret}
        db.session.remove()
        db.engine.dispose()
    return url, creds


def _fire(server, raw, headers, barrier, answers):
    barrier.wait()
    response = requests.post(server.url + '/api/v1/intake/tickets', data=raw, headers=headers, timeout=30)
    answers.append((response.status_code, response.json().get('id')))


def test_retries_racing_in_two_processes_make_one_ticket(database, tmp_path):
    url, creds = database
    env = {'SUPPORT_DATABASE_URL': url, 'SUPPORT_JOBS': 'memory', 'SUPPORT_SECRET_KEY': SECRET_KEY,
           'SUPPORT_INSTANCE_PATH': str(tmp_path), 'SUPPORT_REDIS_URL': '', 'SUPPORT_ROUTING_INLINE': '0'}
    log = str(tmp_path / 'servers.log')
    with GunicornServer(env, log_path=log) as first, GunicornServer(env, log_path=log) as second:
        for round_number in range(ROUNDS):
            raw = json.dumps({'subject': f'Retry storm {round_number}', 'body': 'The router reboots every hour.',
                              'channel': 'email', 'customer': {'email': f'r{round_number}@example.com'}}).encode()
            ts = int(time.time())
            headers = {'Content-Type': 'application/json', 'X-Support-Key': creds['key_id'],
                       'X-Support-Timestamp': str(ts), 'X-Support-Signature': sign(creds['secret'], ts, raw),
                       'Idempotency-Key': f'storm-{round_number}'}
            barrier, answers = threading.Barrier(2 * PER_SERVER), []
            threads = [threading.Thread(target=_fire, args=(server, raw, headers, barrier, answers))
                       for server in (first, second) for _ in range(PER_SERVER)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            assert sorted(code for code, _id in answers) == [200] * (2 * PER_SERVER - 1) + [201], answers
            assert len({ticket_id for _code, ticket_id in answers}) == 1
    engine = sa.create_engine(url.replace('postgresql://', 'postgresql+psycopg://'))
    with engine.connect() as conn:
        per_subject = conn.execute(sa.text('SELECT subject, count(*) FROM tickets GROUP BY subject')).all()
    engine.dispose()
    assert sorted(count for _subject, count in per_subject) == [1] * ROUNDS

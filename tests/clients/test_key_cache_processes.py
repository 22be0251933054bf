"""A key revoked through one server process is refused by another within the cache TTL, or at once
when Redis carries the invalidation (docs/performance.md: ``SUPPORT_CACHE_SECONDS``)."""
import json
import time

import pytest
import requests

from support.core.signing import sign

from ..conftest import PG_URL, REDIS_PREFIX, REDIS_URL
from ..servers import GunicornServer, scratch_postgres

pytestmark = pytest.mark.skipif(not PG_URL, reason='needs PostgreSQL')
SECRET_KEY = 'key-cache-processes'
TTL = 2


@pytest.fixture(scope='module')
def database():
    from support import create_app
    from support.agents.auth import issue_token
    from support.agents.operations import create_agent
    from support.agents.models import Role
    from support.clients.operations import create_client
    from support.core.extensions import db
    url = scratch_postgres(PG_URL, 'keycache')
    app = create_app({'TESTING': True, 'SQLALCHEMY_DATABASE_URI': url, 'SUPPORT_REDIS_URL': None,
                      'SECRET_KEY': SECRET_KEY, 'SUPPORT_PASSWORD_METHOD': 'pbkdf2:sha256:1000'})
    with app.app_context():
        db.drop_all()
        db.create_all()
        admin = create_agent('root@example.com', 'Root', 'password-123', Role.admin, all_clients=True)
        db.session.flush()
        token = issue_token(admin)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return url, token


def _intake(server, key_id, secret, n):
    raw = json.dumps({'subject': f'Cache {n}', 'body': 'The set-top box reboots.', 'channel': 'web',
                      'customer': {'email': f'c{n}@example.com'}}).encode()
    ts = int(time.time())
    return requests.post(server.url + '/api/v1/intake/tickets', data=raw, timeout=30, headers={
        'Content-Type': 'application/json', 'X-Support-Key': key_id, 'X-Support-Timestamp': str(ts),
        'X-Support-Signature': sign(secret, ts, raw)}).status_code


def _revoked_after(database, tmp_path, slug, redis_url):
    """Seconds until the second process refuses a key the first one revoked."""
    url, token = database
    env = {'SUPPORT_DATABASE_URL': url, 'SUPPORT_JOBS': 'memory', 'SUPPORT_SECRET_KEY': SECRET_KEY,
           'SUPPORT_INSTANCE_PATH': str(tmp_path), 'SUPPORT_REDIS_URL': redis_url or '',
           'SUPPORT_REDIS_PREFIX': REDIS_PREFIX + slug + ':', 'SUPPORT_CACHE_SECONDS': str(TTL),
           'SUPPORT_ROUTING_INLINE': '0'}
    admin = {'Authorization': f'Bearer {token}'}
    with GunicornServer(env, log_path=str(tmp_path / 'a.log')) as first, \
            GunicornServer(env, log_path=str(tmp_path / 'b.log')) as second:
        created = requests.post(first.url + '/api/v1/clients', json={'name': slug.title(), 'slug': slug},
                                headers=admin, timeout=30).json()
        key_id, secret = created['key_id'], created['secret']
        for n in range(3):  # both processes have the key cached now
            assert _intake(first, key_id, secret, n) == 201 and _intake(second, key_id, secret, n + 10) == 201
        revoked = requests.delete(f'{first.url}/api/v1/clients/{slug}/keys/{key_id}', headers=admin, timeout=30)
        assert revoked.status_code == 200
        start = time.monotonic()
        assert _intake(first, key_id, secret, 100) == 401  # at once in the process that revoked it
        n = 200
        while _intake(second, key_id, secret, n) != 401:
            n += 1
            assert time.monotonic() - start < TTL + 2, 'the other process still takes a revoked key'
            time.sleep(0.05)
        return time.monotonic() - start


def test_revoked_key_is_refused_by_another_process_within_the_ttl(database, tmp_path):
    assert _revoked_after(database, tmp_path, 'ttl-only', None) < TTL + 2


@pytest.mark.skipif(not REDIS_URL, reason='needs Redis')
def test_with_redis_another_process_refuses_it_at_once(database, tmp_path):
    assert _revoked_after(database, tmp_path, 'with-redis', REDIS_URL) < 0.5

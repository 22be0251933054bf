"""Fixtures shared by every test.

Every test that uses ``app`` runs on SQLite, and again on PostgreSQL when
``SUPPORT_TEST_DATABASE_URL`` is set. Each test starts from empty tables.

Suites side by side (two checkouts, or pytest-xdist workers) never meet: each process makes
its own database on the server ``SUPPORT_TEST_DATABASE_URL`` names (``<name>_<unique>``, and
the scratch databases of some tests beside it) and drops them all at the end; its SQLite files
live in a directory of its own; its Redis keys start with a prefix of its own (nothing flushes
the Redis database).
"""
import os
import secrets
import tempfile

RUN_ID = f'{os.getpid()}{secrets.token_hex(3)}'
os.environ.setdefault('SUPPORT_JOBS', 'memory')
if os.environ.get('PYTEST_XDIST_WORKER') or 'SUPPORT_INSTANCE_PATH' not in os.environ:
    os.environ['SUPPORT_INSTANCE_PATH'] = tempfile.mkdtemp(prefix='support-test-')
os.environ['SUPPORT_REDIS_PREFIX'] = REDIS_PREFIX = f'test{RUN_ID}:'

import pytest  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from support import create_app  # noqa: E402
from support.core import caches, clock  # noqa: E402
from support.core.extensions import db, limiter  # noqa: E402
from support.core.jobs import huey  # noqa: E402

from .browser import browser, chromium_path  # noqa: E402,F401  (session fixtures for every browser test)
from .factories import Factories  # noqa: E402

def _unique_database(server_url: str | None) -> str | None:
    """The name of this run's own database beside the one ``server_url`` names (created by ``_own_databases``)."""
    if not server_url:
        return None
    base, _sep, name = server_url.rpartition('/')
    return f'{base}/{(name or "support")[:20]}_{RUN_ID}'


SERVER_URL = os.environ.get('SUPPORT_TEST_DATABASE_URL')
PG_URL = _unique_database(SERVER_URL)
REDIS_URL = os.environ.get('SUPPORT_TEST_REDIS_URL')
BACKENDS = ['sqlite'] + (['postgresql'] if PG_URL else [])
_apps = {}


def database_url(backend: str) -> str:
    if backend == 'postgresql':
        return PG_URL
    return 'sqlite:///' + os.path.join(os.environ['SUPPORT_INSTANCE_PATH'], 'test.sqlite')


def app_config(backend: str, **overrides) -> dict:
    config = {'TESTING': True, 'SQLALCHEMY_DATABASE_URI': database_url(backend),
              'SUPPORT_PASSWORD_METHOD': 'pbkdf2:sha256:1000', 'SECRET_KEY': 'test-secret',
              'RATELIMIT_STORAGE_URI': 'memory://', 'SUPPORT_REDIS_URL': None, 'SUPPORT_REDIS_PREFIX': REDIS_PREFIX}
    config.update(overrides)
    return config


def _make_app(backend):
    app = create_app(app_config(backend))
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def _admin(url: str):
    """Autocommit connection to the server of ``url`` (through its maintenance database)."""
    import psycopg
    base = url.rpartition('/')[0]
    try:
        return psycopg.connect(SERVER_URL, autocommit=True)
    except psycopg.OperationalError:  # the named database may not exist: the server's own will do
        return psycopg.connect(base + '/postgres', autocommit=True)


@pytest.fixture(scope='session', autouse=True)
def _own_databases():
    """Create this run's PostgreSQL database; at the end drop it and every scratch one beside it,
    and delete this run's Redis keys."""
    if PG_URL:
        name = PG_URL.rpartition('/')[2]
        with _admin(PG_URL) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    yield
    for app in _apps.values():
        with app.app_context():
            db.engine.dispose()
    if PG_URL:
        with _admin(PG_URL) as conn:
            rows = conn.execute("SELECT datname FROM pg_database WHERE datname = %s OR datname LIKE %s",
                                (name, name.replace('_', r'\_') + r'\_%')).fetchall()
            for (found,) in rows:
                conn.execute(f'DROP DATABASE IF EXISTS "{found}" WITH (FORCE)')
    clear_redis()


def clear_redis() -> None:
    """Delete this run's Redis keys (and only them)."""
    if REDIS_URL:
        import redis
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(match=REDIS_PREFIX + '*', count=1000):
            client.delete(key)


@pytest.fixture(params=BACKENDS)
def app(request):
    backend = request.param
    if backend not in _apps:
        _apps[backend] = _make_app(backend)
    app = _apps[backend]
    huey.immediate = True
    with app.app_context():
        _empty_tables()
        caches.clear_all()
        limiter.reset()
        clock.reset()
        yield app
        db.session.remove()
    clock.reset()


def _empty_tables():
    db.session.remove()
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == 'postgresql':
            conn.execute(sa.text('TRUNCATE {} RESTART IDENTITY CASCADE'.format(', '.join(f'"{t}"' for t in tables))))
        else:
            for table in tables:
                conn.execute(sa.text(f'DELETE FROM "{table}"'))
            conn.execute(sa.text("DELETE FROM sqlite_sequence")) if conn.execute(sa.text(
                "SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'")).first() else None


@pytest.fixture
def http(app):
    return app.test_client()


@pytest.fixture
def make(app):
    """Builders with sensible defaults: ``make.client()``, ``make.agent()``, ``make.ticket()``."""
    return Factories(app)

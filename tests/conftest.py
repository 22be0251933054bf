"""Fixtures shared by every test.

Every test that uses ``app`` runs on SQLite, and again on PostgreSQL when
``SUPPORT_TEST_DATABASE_URL`` is set. Each test starts from empty tables.
"""
import os
import tempfile

os.environ.setdefault('SUPPORT_JOBS', 'memory')
os.environ.setdefault('SUPPORT_INSTANCE_PATH', tempfile.mkdtemp(prefix='support-test-'))

import pytest  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from support import create_app  # noqa: E402
from support.core import caches, clock  # noqa: E402
from support.core.extensions import db, limiter  # noqa: E402
from support.core.jobs import huey  # noqa: E402

from .factories import Factories  # noqa: E402

PG_URL = os.environ.get('SUPPORT_TEST_DATABASE_URL')
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
              'RATELIMIT_STORAGE_URI': 'memory://', 'SUPPORT_REDIS_URL': None}
    config.update(overrides)
    return config


def _make_app(backend):
    app = create_app(app_config(backend))
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


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

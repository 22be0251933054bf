"""Area settings come from the Flask config, else the SUPPORT_* environment, typed like their default."""
import os

import pytest

from support.core.config import setting


def test_config_wins_then_environment_then_default(app, monkeypatch):
    monkeypatch.setenv('SUPPORT_SOME_LIMIT', '42')
    assert setting('SUPPORT_SOME_LIMIT', 7) == 42
    app.config['SUPPORT_SOME_LIMIT'] = 9
    assert setting('SUPPORT_SOME_LIMIT', 7) == 9
    assert setting('SUPPORT_NOT_SET_ANYWHERE', 7) == 7


def test_environment_text_takes_the_defaults_type(app, monkeypatch):
    monkeypatch.setenv('SUPPORT_FLAG', 'off')
    monkeypatch.setenv('SUPPORT_TYPES', 'image/png, application/pdf')
    monkeypatch.setenv('SUPPORT_CAPACITIES', 'chat=2,email=5')
    monkeypatch.setenv('SUPPORT_URL', 'https://support.example')
    assert setting('SUPPORT_FLAG', True) is False
    assert setting('SUPPORT_TYPES', ('text/plain',)) == ('image/png', 'application/pdf')
    assert setting('SUPPORT_CAPACITIES', {'chat': 3}) == {'chat': 2, 'email': 5}
    assert setting('SUPPORT_URL') == 'https://support.example'


def test_postgresql_pool_and_timeouts_come_from_the_environment(monkeypatch):
    from support.core.config import engine_options
    monkeypatch.setenv('SUPPORT_DATABASE_POOL_SIZE', '4')
    monkeypatch.setenv('SUPPORT_DATABASE_MAX_OVERFLOW', '2')
    monkeypatch.setenv('SUPPORT_DATABASE_STATEMENT_TIMEOUT', '15000')
    monkeypatch.setenv('SUPPORT_DATABASE_LOCK_TIMEOUT', '3000')
    options = engine_options('postgresql+psycopg://db/support')
    assert (options['pool_size'], options['max_overflow']) == (4, 2)
    assert options['connect_args'] == {'options': '-c statement_timeout=15000 -c lock_timeout=3000'}
    assert 'options' not in engine_options('sqlite:///x.sqlite')['connect_args']


@pytest.mark.skipif(not os.environ.get('SUPPORT_TEST_DATABASE_URL'), reason='SUPPORT_TEST_DATABASE_URL is not set')
def test_the_statement_timeout_reaches_postgresql(monkeypatch):
    import sqlalchemy as sa
    from support.core.config import engine_options, normalise_url
    from ..conftest import PG_URL
    monkeypatch.setenv('SUPPORT_DATABASE_STATEMENT_TIMEOUT', '1500')
    url = normalise_url(PG_URL)
    engine = sa.create_engine(url, **engine_options(url))
    try:
        with engine.connect() as connection:
            assert connection.execute(sa.text('SHOW statement_timeout')).scalar() == '1500ms'
    finally:
        engine.dispose()

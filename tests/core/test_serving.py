"""``support serve`` runs gunicorn with WebSockets, and no server starts with the development secret key."""
import os
import subprocess
import sys
import tempfile

import pytest
import requests

from support.core.config import DEVELOPMENT_SECRET_KEY, development_secret_problem

from ..conftest import SERVER_URL
from ..servers import ROOT, VENV_BIN, EventLog, ServeProcess, free_port, scratch_postgres


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(('SUPPORT_', 'FLASK_'))}
    instance = tempfile.mkdtemp(prefix='support-serve-')
    env.update({'SUPPORT_INSTANCE_PATH': instance, 'SUPPORT_JOBS': 'sqlite', 'PYTHONUNBUFFERED': '1',
                'SUPPORT_DATABASE_URL': 'sqlite:///' + os.path.join(instance, 'serve.sqlite'), **extra})
    return env


def _flask(env, *args, timeout=60):
    return subprocess.run([os.path.join(VENV_BIN, 'flask'), '--app', 'wsgi', *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_the_development_key_is_refused_outside_debug_and_testing():
    for secret in (None, '', DEVELOPMENT_SECRET_KEY):
        assert 'SUPPORT_SECRET_KEY' in development_secret_problem(secret)
        assert development_secret_problem(secret, debug=True) is None
        assert development_secret_problem(secret, testing=True) is None
    assert development_secret_problem('a-long-random-secret') is None


@pytest.mark.parametrize('command', [['support', 'serve', '--port', '0'], ['support', 'worker']])
def test_serve_and_worker_refuse_the_development_secret_key(command):
    result = _flask(_env(), *command)
    assert result.returncode != 0
    assert 'SUPPORT_SECRET_KEY' in result.stderr and 'Refusing to start' in result.stderr


def test_gunicorn_refuses_the_development_secret_key_before_serving():
    port = free_port()
    result = subprocess.run([os.path.join(VENV_BIN, 'gunicorn'), '-c', 'gunicorn.conf.py', '-b', f'127.0.0.1:{port}',
                             'wsgi:app'], cwd=ROOT, env=_env(SUPPORT_SECRET_KEY=DEVELOPMENT_SECRET_KEY),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert 'SUPPORT_SECRET_KEY' in result.stderr
    assert 'Booting worker' not in result.stderr


def test_commands_other_than_servers_work_with_the_development_key():
    result = _flask(_env(), 'support', 'new-encryption-key')
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip()) == 44


def _serve_and_connect(env, log_path):
    assert _flask(env, 'db', 'upgrade', timeout=120).returncode == 0
    created = _flask(env, 'support', 'create-agent', '--email', 'serve@example.com', '--name', 'Serve',
                     '--password', 'password-123', '--all-clients')
    assert created.returncode == 0, created.stderr
    server = ServeProcess(env, log_path).start()
    try:
        answer = requests.get(server.url + '/api/v1/health', timeout=10)
        assert answer.headers.get('Server', '').startswith('gunicorn')
        token = requests.post(server.url + '/api/v1/auth/token', timeout=10,
                              json={'email': 'serve@example.com', 'password': 'password-123'}).json()['token']
        live = EventLog(server.url, token, transports=('websocket',)).connect()
        try:
            assert live.client.transport() == 'websocket'
            live.wait_for('agent.snapshot')
        finally:
            live.close()
    finally:
        server.close()
    with open(log_path, encoding='utf-8') as log:
        return log.read()


def test_serve_runs_gunicorn_threads_on_sqlite_with_websockets(tmp_path):
    log = _serve_and_connect(_env(SUPPORT_SECRET_KEY='serve-tests'), str(tmp_path / 'serve.log'))
    assert 'Using worker: gthread' in log


@pytest.mark.skipif(not SERVER_URL, reason='SUPPORT_TEST_DATABASE_URL is not set')
def test_serve_runs_gevent_on_postgresql_with_websockets(tmp_path):
    from ..conftest import PG_URL
    url = scratch_postgres(PG_URL, 'serve')
    log = _serve_and_connect(_env(SUPPORT_SECRET_KEY='serve-tests', SUPPORT_DATABASE_URL=url),
                             str(tmp_path / 'serve.log'))
    assert 'Using worker: gevent' in log

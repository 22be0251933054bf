"""``support serve`` runs gunicorn with WebSockets, and no server starts with the development secret key."""
import json
import os
import subprocess
import sys
import tempfile
import time

import pytest
import requests

from support.core.config import DEVELOPMENT_SECRET_KEY, development_secret_problem
from support.core.signing import sign

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
    """Serve; an agent connects over a WebSocket, goes available, and a ticket routed by a job
    (``SUPPORT_ROUTING_INLINE=0``: the consumer inside the worker) is offered to them live."""
    env = {**env, 'SUPPORT_ROUTING_INLINE': '0'}
    client = _prepare(env['SUPPORT_DATABASE_URL'], env['SUPPORT_SECRET_KEY'])
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
            assert requests.put(server.url + '/api/v1/routing/me/presence', json={'status': 'available'},
                                headers={'Authorization': f'Bearer {token}'}, timeout=10).status_code == 200
            ticket = _post_ticket(server.url, client)
            live.wait_for('offer.created', timeout=30, where=lambda offer: offer['ticket']['id'] == ticket['id'])
        finally:
            live.close()
    finally:
        server.close()
    with open(log_path, encoding='utf-8') as log:
        return log.read()


def _prepare(url: str, secret_key: str) -> dict:
    """Migrate the server's database and make an agent and a client (in this process: quicker)."""
    from flask_migrate import upgrade

    from support import create_app
    from support.agents.operations import create_agent
    from support.clients.operations import create_client
    from support.core.extensions import db

    from ..conftest import app_config
    app = create_app(app_config('sqlite', SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=secret_key))
    with app.app_context():
        upgrade(revision='heads')
        create_agent('serve@example.com', 'Serve', 'password-123', all_clients=True)
        _client, key, secret = create_client('Serve', 'serve')
        credentials = {'key_id': key.key_id, 'secret': secret}
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return credentials


def _post_ticket(url: str, client: dict) -> dict:
    raw = json.dumps({'subject': 'Router down', 'body': 'The router does not start since this morning.',
                      'channel': 'chat', 'language': 'en', 'customer': {'name': 'Ann', 'email': 'ann@example.com'}})
    stamp = int(time.time())
    answer = requests.post(url + '/api/v1/intake/tickets', data=raw, timeout=10, headers={
        'Content-Type': 'application/json', 'X-Support-Key': client['key_id'], 'X-Support-Timestamp': str(stamp),
        'X-Support-Signature': sign(client['secret'], stamp, raw.encode())})
    assert answer.status_code == 201, answer.text
    return answer.json()


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

"""Request ids (taken or made, echoed, on every log line, carried into jobs and outbound calls)
and the JSON log lines."""
import io
import json
import logging
import os
import subprocess
import sys

import pytest

from support.core import logs
from support.core.jobs import huey, job_request_id

from ..outbound.conftest import outbound_config, receiver_factory  # noqa: F401  (fixtures)
from ..servers import ROOT


@pytest.fixture
def log_lines():
    """What the JSON handler writes during the test, one parsed object per line."""
    stream = io.StringIO()
    handler = logs.make_handler(stream, 'json')
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.mark.parametrize('given, kept', [
    ('abc-123', True), ('7f3c2a10.api:gw_1', True), ('x' * 64, True),
    ('x' * 65, False), ('has space', False), ('<script>', False), ('ü-nicode', False), ('', False),
])
def test_a_safe_id_is_kept_and_any_other_replaced(http, given, kept):
    response = http.get('/api/v1/health/live', headers={'X-Request-Id': given})
    echoed = response.headers['X-Request-Id']
    assert (echoed == given) is kept
    if not kept:
        assert len(echoed) == 32 and echoed.isalnum()


def test_each_request_without_an_id_gets_its_own(http):
    first, second = (http.get('/api/v1/health/live').headers['X-Request-Id'] for _ in range(2))
    assert first != second


def test_every_line_of_a_request_carries_its_id_method_path_and_caller(http, make, log_lines):
    boss = make.agent(role='supervisor')
    response = http.get('/api/v1/tickets/12345', headers={**boss.headers, 'X-Request-Id': 'req-abc'})
    assert response.status_code == 404
    lines = [line for line in log_lines() if line.get('request_id') == 'req-abc']
    access = [line for line in lines if line['logger'] == 'support.http']
    assert len(access) == 1
    line = access[0]
    assert line['level'] == 'INFO' and line['method'] == 'GET' and line['path'] == '/api/v1/tickets/12345'
    assert line['status'] == 404 and isinstance(line['duration_ms'], float) and line['agent_id'] == boss.id
    assert line['ts'].endswith('+00:00') and line['message'] == 'GET /api/v1/tickets/12345 404'


def test_a_signed_intake_line_names_the_client(http, make, log_lines):
    creds = make.client()
    assert make.post_ticket(creds, headers={'X-Request-Id': 'intake-1'}).status_code == 201
    access = [line for line in log_lines() if line['logger'] == 'support.http' and line['request_id'] == 'intake-1']
    assert access and access[0]['client_id'] == creds.id and access[0]['status'] == 201


def test_a_job_enqueued_in_a_request_runs_in_the_worker_with_its_id(http, make, app, log_lines, receiver_factory,
                                                                       monkeypatch):
    receiver = receiver_factory()
    creds = make.client(slug='acme')
    admin = make.agent(role='admin')
    assert http.post('/api/v1/clients/acme/webhooks', json={'url': receiver.url, 'events': ['ticket.created']},
                     headers=admin.headers).status_code == 201
    monkeypatch.setattr(huey, 'immediate', False)  # queued, as under a separate worker
    huey.flush()
    assert make.post_ticket(creds, headers={'X-Request-Id': 'from-intake-9'}).status_code == 201
    assert receiver.requests == []
    queued = huey.pending()
    assert queued and all(job_request_id(task) == 'from-intake-9' for task in queued)
    from support.core.extensions import db
    db.session.close()
    while (task := huey.dequeue()) is not None:  # what the consumer does, here outside any request
        huey.execute(task)
    assert receiver.requests and receiver.requests[0]['headers']['X-Request-Id'] == 'from-intake-9'
    worker = [line for line in log_lines() if line['logger'].startswith('huey')]
    assert worker and all(line['request_id'] == 'from-intake-9' for line in worker)


def test_a_job_enqueued_outside_a_request_gets_an_id_of_its_own(app, log_lines, monkeypatch):
    from support.outbound.tasks import send_outbox
    monkeypatch.setattr(huey, 'immediate', False)
    huey.flush()
    send_outbox(123456)
    task = huey.dequeue()
    assert job_request_id(task) is None
    huey.execute(task)
    ids = {line.get('request_id') for line in log_lines() if line['logger'].startswith('huey')}
    assert len(ids) == 1 and None not in ids


def _start(env: dict, code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, 'SUPPORT_SECRET_KEY': 'k' * 40, **env}
    env.pop('FLASK_DEBUG', None)
    return subprocess.run([sys.executable, '-c', code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


CODE = ("from support import create_app; app = create_app({'SUPPORT_ENCRYPTION_KEYS': 'x'}); "
        "app.test_client().get('/api/v1/health/live', headers={'X-Request-Id': 'sub-1'})")


def test_json_is_the_default_outside_debug_and_text_on_request(tmp_path):
    env = {'SUPPORT_INSTANCE_PATH': str(tmp_path), 'SUPPORT_LOG_FORMAT': ''}
    default = _start(env, CODE)
    lines = [json.loads(line) for line in default.stderr.splitlines() if line.startswith('{')]
    assert any(line['logger'] == 'support.http' and line['request_id'] == 'sub-1' and line['status'] == 200
               for line in lines), default.stderr
    text = _start({**env, 'SUPPORT_LOG_FORMAT': 'text'}, CODE)
    assert '[sub-1] GET /api/v1/health/live 200' in text.stderr and not text.stderr.lstrip().startswith('{')

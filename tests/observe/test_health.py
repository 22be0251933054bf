"""Liveness, readiness (database, Redis, job backlog) and the original /api/v1/health."""
import os

import pytest

from support.core.jobs import huey


def test_liveness_touches_nothing(app, http, monkeypatch):
    monkeypatch.setitem(app.config, 'SUPPORT_REDIS_URL', 'redis://127.0.0.1:1/0')
    response = http.get('/api/v1/health/live')
    assert response.status_code == 200 and response.get_json() == {'status': 'ok'}


def test_ready_when_every_check_passes(http):
    response = http.get('/api/v1/health/ready')
    assert response.status_code == 200
    body = response.get_json()
    assert body['status'] == 'ok' and body['checks']['database'] == {'ok': True}
    assert body['checks']['jobs']['ok'] is True and 'redis' not in body['checks']


def test_an_unreachable_redis_is_a_503_naming_it(app, http, monkeypatch):
    monkeypatch.setitem(app.config, 'SUPPORT_REDIS_URL', 'redis://127.0.0.1:1/0')
    response = http.get('/api/v1/health/ready', headers={'Accept-Language': 'es'})
    assert response.status_code == 503
    body = response.get_json()
    assert body['status'] == 'unavailable' and body['checks']['redis']['ok'] is False
    assert body['checks']['redis']['error'].startswith('ConnectionError')
    assert body['checks']['database'] == {'ok': True}
    assert body['message'] == 'No está listo; comprobaciones fallidas: redis.'
    assert response.headers['Content-Language'] == 'es'


@pytest.mark.skipif(not os.environ.get('SUPPORT_TEST_REDIS_URL'), reason='SUPPORT_TEST_REDIS_URL unset')
def test_a_reachable_redis_passes(app, http, monkeypatch):
    monkeypatch.setitem(app.config, 'SUPPORT_REDIS_URL', os.environ['SUPPORT_TEST_REDIS_URL'])
    body = http.get('/api/v1/health/ready').get_json()
    assert body['checks']['redis'] == {'ok': True} and body['status'] == 'ok'


def test_a_job_backlog_over_the_limit_is_not_ready(app, http, monkeypatch):
    from support.outbound.tasks import send_outbox
    monkeypatch.setitem(app.config, 'SUPPORT_READY_MAX_PENDING_JOBS', 2)
    monkeypatch.setattr(huey, 'immediate', False)
    huey.flush()
    for item in range(3):
        send_outbox(item + 1000)
    response = http.get('/api/v1/health/ready')
    assert response.status_code == 503
    assert response.get_json()['checks']['jobs'] == {'ok': False, 'error': 'backlog over the limit', 'pending': 3,
                                                    'limit': 2}
    huey.dequeue()
    assert http.get('/api/v1/health/ready').status_code == 200
    huey.flush()


def test_a_database_that_does_not_answer_is_a_503(app, http, monkeypatch):
    from support.core import health

    def broken():
        raise health.sa.exc.OperationalError('SELECT 1', {}, Exception('server closed the connection'))
    monkeypatch.setattr(health.db.session, 'execute', lambda *a, **k: broken())
    ready = http.get('/api/v1/health/ready')
    assert ready.status_code == 503 and ready.get_json()['checks']['database']['ok'] is False
    assert 'server closed' not in ready.get_data(as_text=True)  # public: the kind of failure only
    old = http.get('/api/v1/health')
    assert old.status_code == 503 and old.get_json()['status'] == 'unavailable'


def test_the_original_health_answers_as_before(http):
    response = http.get('/api/v1/health')
    assert response.status_code == 200
    assert response.get_json()['status'] == 'ok' and response.get_json()['database'] in ('sqlite', 'postgresql')

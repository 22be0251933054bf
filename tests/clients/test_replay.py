"""A signed write is taken once: the same signature again (within its window) is a 409."""
import json

import pytest
import sqlalchemy as sa

from support.core import replay
from support.core.extensions import db
from support.tickets.models import Ticket

from ..conftest import REDIS_URL, clear_redis
from ..factories import ticket_body


def _signed(creds, body: dict, **extra):
    raw = json.dumps(body).encode()
    return raw, creds.headers(raw, **extra)


def _tickets() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Ticket))


@pytest.fixture(params=['database'] + (['redis'] if REDIS_URL else []))
def store(request, app, monkeypatch):
    """Where the marks live: the database table, or Redis when configured."""
    if request.param == 'redis':
        clear_redis()
        monkeypatch.setitem(app.config, 'SUPPORT_REPLAY_REDIS_URL', REDIS_URL)
    return request.param


def test_a_replayed_intake_without_an_idempotency_key_is_refused(store, make, http):
    creds = make.client()
    raw, headers = _signed(creds, ticket_body())
    assert http.post('/api/v1/intake/tickets', data=raw, headers=headers).status_code == 201
    again = http.post('/api/v1/intake/tickets', data=raw, headers=headers)
    assert again.status_code == 409 and again.get_json()['error']['code'] == 'replayed_request'
    assert _tickets() == 1
    spanish = http.post('/api/v1/intake/tickets', data=raw, headers={**headers, 'Accept-Language': 'es'})
    assert spanish.get_json()['error']['message'].startswith('Esta solicitud firmada ya se recibió')


def test_a_replay_with_the_first_idempotency_key_gets_the_first_ticket(store, make, http):
    creds = make.client()
    raw, headers = _signed(creds, ticket_body(), **{'Idempotency-Key': 'order-1'})
    first = http.post('/api/v1/intake/tickets', data=raw, headers=headers)
    again = http.post('/api/v1/intake/tickets', data=raw, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()['id'] == first.get_json()['id'] and _tickets() == 1
    # headers are not signed: a copy that changes or adds the key is still a replay
    other_key = http.post('/api/v1/intake/tickets', data=raw, headers={**headers, 'Idempotency-Key': 'order-2'})
    assert other_key.status_code == 409 and _tickets() == 1
    raw2, plain = _signed(creds, ticket_body(subject='Second'))
    assert http.post('/api/v1/intake/tickets', data=raw2, headers=plain).status_code == 201
    added = http.post('/api/v1/intake/tickets', data=raw2, headers={**plain, 'Idempotency-Key': 'new'})
    assert added.status_code == 409 and _tickets() == 2


def test_other_signed_writes_are_refused_too_and_reads_are_not(store, make, http):
    creds = make.client()
    raw, headers = _signed(creds, {'url': 'https://crm.example.com/hooks', 'events': ['ticket.created']})
    assert http.post('/api/v1/intake/webhooks', data=raw, headers=headers).status_code == 201
    assert http.post('/api/v1/intake/webhooks', data=raw, headers=headers).status_code == 409
    read = {k: v for k, v in creds.headers(b'').items() if k != 'Content-Type'}
    assert [http.get('/api/v1/intake/webhooks', headers=read).status_code for _ in range(2)] == [200, 200]


def test_the_mark_lasts_the_window_and_then_goes(app, make, http):
    from datetime import timedelta
    from support.core import clock
    creds = make.client()
    raw, headers = _signed(creds, ticket_body())
    http.post('/api/v1/intake/tickets', data=raw, headers=headers)
    clock.advance(timedelta(seconds=app.config['SUPPORT_SIGNATURE_TOLERANCE'] + 2))
    assert replay.forget_expired() == 1
    db.session.commit()

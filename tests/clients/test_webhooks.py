"""Signed event callbacks: subscriptions, deliveries in the same transaction, retries, redelivery."""
import json
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from support.clients import webhooks
from support.clients.webhook_models import WebhookDelivery
from support.core import clock, retry
from support.core.extensions import db
from support.core.jobs import huey

from ..outbound.conftest import admin, outbound_config, receiver_factory  # noqa: F401  (fixtures)
from ..outbound.servers import Receiver, closed_url, free_port, run_sweep


def _subscribe(http, admin, slug, url, events=('ticket.created',)):
    response = http.post(f'/api/v1/clients/{slug}/webhooks', json={'url': url, 'events': list(events)},
                         headers=admin.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _signed(http, creds, method, path, payload=None):
    raw = json.dumps(payload).encode() if payload is not None else b''
    headers = creds.headers(raw)
    if payload is None:
        headers.pop('Content-Type')
    return http.open(path, method=method, data=raw, headers=headers)


def _deliveries(http, admin, slug, **query):
    response = http.get(f'/api/v1/clients/{slug}/webhooks/deliveries', query_string=query, headers=admin.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()['items']


def _delivery(http, admin, slug, delivery_id):
    return http.get(f'/api/v1/clients/{slug}/webhooks/deliveries/{delivery_id}', headers=admin.headers).get_json()


# --- subscriptions ----------------------------------------------------------------------

def test_admin_manages_subscriptions(http, make, admin, outbound_config):
    creds = make.client()
    base = f'/api/v1/clients/{creds.slug}/webhooks'
    sub = _subscribe(http, admin, creds.slug, 'https://crm.example.com/hooks',
                     ['message.created', 'ticket.created', 'ticket.created'])
    assert sub['events'] == ['ticket.created', 'message.created'] and sub['active'] is True
    changed = http.patch(f'{base}/{sub["id"]}', json={'active': False, 'events': ['ticket.assigned']},
                         headers=admin.headers).get_json()
    assert (changed['active'], changed['events']) == (False, ['ticket.assigned'])
    assert [s['id'] for s in http.get(base, headers=admin.headers).get_json()] == [sub['id']]
    assert http.delete(f'{base}/{sub["id"]}', headers=admin.headers).status_code == 204
    assert http.get(f'{base}/{sub["id"]}', headers=admin.headers).status_code == 404
    assert http.get(f'{base}/{10 ** 20}', headers=admin.headers).status_code == 404
    assert http.get(f'{base}/deliveries/{"x" * 5000}', headers=admin.headers).status_code == 404


def test_subscription_input_is_checked(http, make, admin, outbound_config):
    creds = make.client()
    base = f'/api/v1/clients/{creds.slug}/webhooks'
    supervisor = make.agent(role='supervisor')
    cases = [({'url': 'https://x.example.com', 'events': ['ticket.deleted']}, 'events'),
             ({'url': 'https://x.example.com', 'events': []}, 'events'),
             ({'url': 'not a url', 'events': ['ticket.created']}, 'url'),
             ({'url': 'https://x.example.com', 'events': 'ticket.created'}, 'events'),
             ({'url': 'https://x.example.com', 'events': ['ticket.created'], 'secret': 'x'}, 'secret')]
    for body, field in cases:
        response = http.post(base, json=body, headers={**admin.headers, 'Accept-Language': 'es'})
        assert response.status_code == 422, body
        assert field in response.get_json()['error']['fields'], response.get_json()
    assert http.post(base, json=cases[0][0], headers=supervisor.headers).status_code == 403
    assert http.post('/api/v1/clients/nope/webhooks', json={'url': 'https://x.example.com', 'events':
                     ['ticket.created']}, headers=admin.headers).status_code == 404
    for _ in range(webhooks.MAX_SUBSCRIPTIONS):
        _subscribe(http, admin, creds.slug, 'https://x.example.com/hooks')
    full = http.post(base, json={'url': 'https://x.example.com', 'events': ['ticket.created']},
                     headers=admin.headers)
    assert full.status_code == 409 and full.get_json()['error']['code'] == 'too_many_subscriptions'


def test_client_system_manages_its_own_subscriptions_by_signed_requests(http, make, outbound_config):
    creds, other = make.client(), make.client()
    created = _signed(http, creds, 'POST', '/api/v1/intake/webhooks',
                      {'url': 'https://crm.example.com/hooks', 'events': ['ticket.status_changed']})
    assert created.status_code == 201, created.get_json()
    sub_id = created.get_json()['id']
    assert [s['id'] for s in _signed(http, creds, 'GET', '/api/v1/intake/webhooks').get_json()] == [sub_id]
    assert _signed(http, other, 'GET', '/api/v1/intake/webhooks').get_json() == []
    assert _signed(http, other, 'GET', f'/api/v1/intake/webhooks/{sub_id}').status_code == 404
    assert _signed(http, other, 'DELETE', f'/api/v1/intake/webhooks/{sub_id}').status_code == 404
    patched = _signed(http, creds, 'PATCH', f'/api/v1/intake/webhooks/{sub_id}', {'description': 'CRM'})
    assert patched.get_json()['description'] == 'CRM'
    assert http.get('/api/v1/intake/webhooks').status_code == 401
    assert _signed(http, creds, 'DELETE', f'/api/v1/intake/webhooks/{sub_id}').status_code == 204


# --- delivery --------------------------------------------------------------------------

def test_ticket_created_is_delivered_signed(http, make, admin, receiver_factory):
    receiver = receiver_factory()
    creds = make.client()
    sub = _subscribe(http, admin, creds.slug, receiver.url)
    assert sub['secret'].startswith('whsec_') and sub['signed_with'] == 'endpoint_secret'
    assert 'secret' not in http.get(f'/api/v1/clients/{creds.slug}/webhooks/{sub["id"]}',
                                    headers=admin.headers).get_json()
    ticket = make.ticket(creds, channel='chat', customer={'name': 'Ana', 'handle': 'ana'})
    assert len(receiver.requests) == 1
    assert receiver.verifies(sub['secret']) and not receiver.verifies(creds.secret)
    request, event = receiver.requests[0], receiver.json()
    assert 'X-Support-Key' not in request['headers']  # the intake key signs nothing that goes out
    assert request['headers']['X-Support-Webhook'] == str(sub['id'])
    assert request['headers']['X-Support-Event'] == 'ticket.created'
    assert request['headers']['X-Support-Api-Version'] == event['api_version'] == sub['api_version']
    assert event['type'] == 'ticket.created' and event['client'] == creds.slug
    assert event['data']['ticket']['number'] == ticket['number']
    assert event['data']['message']['author']['type'] == 'customer'
    [delivery] = _deliveries(http, admin, creds.slug)
    assert request['headers']['X-Support-Delivery'] == delivery['id']
    assert (delivery['status'], delivery['attempts'], delivery['last_status_code']) == ('delivered', 1, 200)


def test_a_subscription_from_before_endpoint_secrets_is_signed_with_the_newest_client_key(
        http, make, admin, receiver_factory):
    from support.clients.webhook_models import WebhookSubscription
    receiver = receiver_factory()
    creds = make.client()
    sub = _subscribe(http, admin, creds.slug, receiver.url)
    db.session.get(WebhookSubscription, sub['id']).secret = None  # as the migration leaves older ones
    db.session.commit()
    new_key = http.post(f'/api/v1/clients/{creds.slug}/keys', headers=admin.headers).get_json()
    make.ticket(creds, channel='chat')
    assert receiver.requests[0]['headers']['X-Support-Key'] == new_key['key_id']
    assert receiver.verifies(new_key['secret']) and not receiver.verifies(creds.secret)
    listed = http.get(f'/api/v1/clients/{creds.slug}/webhooks/{sub["id"]}', headers=admin.headers).get_json()
    assert listed['signed_with'] == 'client_key'
    rotated = http.post(f'/api/v1/clients/{creds.slug}/webhooks/{sub["id"]}/rotate-secret', json={},
                        headers=admin.headers).get_json()
    assert rotated['previous_secret_expires_at'] is None  # nothing to keep: the key was never its own
    make.ticket(creds, channel='chat')
    assert receiver.verifies(rotated['secret']) and 'X-Support-Key' not in receiver.requests[-1]['headers']


def test_status_changes_and_messages_are_events_and_notes_are_not(http, make, admin, receiver_factory):
    receiver = receiver_factory()
    creds = make.client()
    agent = make.agent()
    ticket = make.ticket(creds, channel='chat')
    _subscribe(http, admin, creds.slug, receiver.url, ['ticket.status_changed', 'message.created'])
    http.post(f'/api/v1/tickets/{ticket["id"]}/messages', json={'kind': 'note', 'body': 'internal'},
              headers=agent.headers)
    assert receiver.requests == []
    assert http.patch(f'/api/v1/tickets/{ticket["id"]}', json={'status': 'open'},
                      headers=agent.headers).status_code == 200
    types = [json.loads(r['body'])['type'] for r in receiver.requests]
    assert types == ['ticket.status_changed']
    data = receiver.json()['data']
    assert data['changes'] == {'status': {'before': 'new', 'after': 'open'}}
    assert (data['actor']['type'], data['actor']['id']) == ('agent', agent.id)
    http.post(f'/api/v1/tickets/{ticket["id"]}/messages', json={'kind': 'reply', 'body': 'On it.'},
              headers=agent.headers)
    assert receiver.json()['type'] == 'message.created'
    assert receiver.json()['data']['message']['kind'] == 'outbound'
    assert receiver.json()['data']['message']['body'] == 'On it.'


def test_a_failed_change_writes_no_delivery(http, make, admin, outbound_config):
    creds = make.client()
    agent = make.agent()
    ticket = make.ticket(creds, channel='chat')
    _subscribe(http, admin, creds.slug, closed_url(), ['ticket.status_changed'])
    response = http.patch(f'/api/v1/tickets/{ticket["id"]}', json={'status': 'closed'}, headers=agent.headers)
    assert response.status_code == 409
    assert _deliveries(http, admin, creds.slug) == []


def test_assignment_is_an_event(http, make, admin, receiver_factory, app):
    from support.tickets.models import Ticket
    from support.tickets.operations import SYSTEM
    from support.tickets.signals import ticket_updated
    receiver = receiver_factory()
    creds = make.client()
    agent = make.agent()
    ticket = make.ticket(creds, channel='chat')
    _subscribe(http, admin, creds.slug, receiver.url, ['ticket.assigned'])
    row = db.session.get(Ticket, ticket['id'])
    row.assignee_id = agent.id
    ticket_updated.send(row, changes={'assignee': (None, agent.id)}, actor=SYSTEM)
    db.session.commit()
    assert receiver.json()['type'] == 'ticket.assigned'
    assert receiver.json()['data']['changes'] == {'assignee_id': {'before': None, 'after': agent.id}}
    assert receiver.json()['data']['ticket']['assignee']['id'] == agent.id


# --- retries ---------------------------------------------------------------------------

def test_receiver_fails_several_times_then_succeeds(http, make, admin, receiver_factory):
    receiver = receiver_factory(script=(500, 503, 404, 200))
    creds = make.client()
    sub = _subscribe(http, admin, creds.slug, receiver.url)
    make.ticket(creds, channel='chat')
    [delivery] = _deliveries(http, admin, creds.slug)
    assert (delivery['status'], delivery['attempts'], delivery['last_status_code']) == ('pending', 1, 500)
    for seconds in (30, 60, 120):
        assert run_sweep()['webhooks'] == 0  # not due yet
        clock.advance(timedelta(seconds=seconds + 1))
        assert run_sweep()['webhooks'] == 1
    detail = _delivery(http, admin, creds.slug, delivery['id'])
    assert detail['status'] == 'delivered' and detail['delivered_at'] and detail['next_attempt_at'] is None
    assert [(a['number'], a['status_code'], a['error']) for a in detail['attempt_log']] == [
        (1, 500, 'HTTP 500'), (2, 503, 'HTTP 503'), (3, 404, 'HTTP 404'), (4, 200, None)]
    assert all(a['duration_ms'] >= 0 for a in detail['attempt_log'])
    assert len({r['headers']['X-Support-Delivery'] for r in receiver.requests}) == 1
    assert len({json.loads(r['body'])['id'] for r in receiver.requests}) == 1
    assert all(receiver.verifies(sub['secret'], i) for i in range(4))


def test_receiver_stays_down_deliveries_wait_then_redelivery(http, make, admin, app, monkeypatch,
                                                            outbound_config):
    monkeypatch.setitem(app.config, 'SUPPORT_WEBHOOK_MAX_ATTEMPTS', 6)
    clock.travel_to(clock.utcnow(), freeze=True)  # a loaded machine must not shave a second off a wait
    port = free_port()
    creds = make.client()
    sub = _subscribe(http, admin, creds.slug, f'http://127.0.0.1:{port}/hooks')
    make.ticket(creds, channel='chat')
    make.ticket(creds, channel='chat')
    waits = []
    for _ in range(5):
        row = db.session.scalars(sa.select(WebhookDelivery).order_by(WebhookDelivery.id)).first()
        waits.append(round((row.next_attempt_at - clock.utcnow()).total_seconds()))
        clock.advance(row.next_attempt_at - clock.utcnow() + timedelta(seconds=1))
        assert run_sweep()['webhooks'] == 2
    assert waits == [30, 60, 120, 240, 480]  # each wait doubles
    items = _deliveries(http, admin, creds.slug)
    assert [(d['status'], d['attempts']) for d in items] == [('failed', 6), ('failed', 6)]
    assert 'ConnectionError' in items[0]['last_error']
    clock.advance(timedelta(days=1))
    assert run_sweep()['webhooks'] == 0  # given up: nothing more until asked

    receiver = _receiver_on(port)  # the receiver is back
    try:
        again = http.post(f'/api/v1/clients/{creds.slug}/webhooks/deliveries/{items[0]["id"]}/redeliver',
                          headers=admin.headers)
        assert again.status_code == 202, again.get_json()
        redelivered = again.get_json()
        assert redelivered['redelivery_of'] == items[0]['id'] and redelivered['status'] == 'delivered'
        assert redelivered['event_id'] == items[0]['event_id']
        assert receiver.verifies(sub['secret'])
        assert receiver.json()['id'] == items[0]['event_id']
        assert len(_deliveries(http, admin, creds.slug, status='failed')) == 2  # the log is kept
        assert len(_deliveries(http, admin, creds.slug, subscription_id=sub['id'])) == 3
    finally:
        receiver.stop()


def _receiver_on(port):
    """A receiver on a chosen port (the one the subscription points at)."""
    from http.server import ThreadingHTTPServer
    receiver = Receiver()
    handler = receiver.server.RequestHandlerClass
    receiver.server.server_close()
    receiver.server = ThreadingHTTPServer(('127.0.0.1', port), handler)
    receiver.thread = threading.Thread(target=receiver.server.serve_forever, kwargs={'poll_interval': 0.05},
                                       daemon=True)
    return receiver.start()


def test_worker_down_nothing_lost(http, make, admin, receiver_factory):
    receiver = receiver_factory()
    creds = make.client()
    _subscribe(http, admin, creds.slug, receiver.url)
    huey.immediate = False  # jobs are queued but no consumer runs: the worker is down
    try:
        numbers = [make.ticket(creds, channel='chat')['number'] for _ in range(3)]
        assert receiver.requests == []
        assert [d['status'] for d in _deliveries(http, admin, creds.slug)] == ['pending'] * 3
    finally:
        huey.immediate = True
        huey.flush()
    assert run_sweep()['webhooks'] == 3  # the periodic sweep when a worker is back
    assert sorted(r['data']['ticket']['number'] for r in map(json.loads, (x['body'] for x in receiver.requests))) \
        == numbers


def test_redelivering_a_waiting_delivery_tries_it_now(http, make, admin, outbound_config):
    creds = make.client()
    _subscribe(http, admin, creds.slug, closed_url())
    make.ticket(creds, channel='chat')
    [delivery] = _deliveries(http, admin, creds.slug)
    again = http.post(f'/api/v1/clients/{creds.slug}/webhooks/deliveries/{delivery["id"]}/redeliver',
                      headers=admin.headers).get_json()
    assert again['id'] == delivery['id'] and again['attempts'] == 2 and again['status'] == 'pending'


def test_client_lists_its_deliveries_and_asks_for_redelivery(http, make, admin, receiver_factory):
    receiver = receiver_factory(script=(500, 200))
    creds, other = make.client(), make.client()
    _subscribe(http, admin, creds.slug, receiver.url)
    make.ticket(creds, channel='chat')
    page = _signed(http, creds, 'GET', '/api/v1/intake/webhooks/deliveries?status=pending').get_json()
    [delivery] = page['items']
    assert page['next_cursor'] is None
    assert _signed(http, other, 'GET', f'/api/v1/intake/webhooks/deliveries/{delivery["id"]}').status_code == 404
    detail = _signed(http, creds, 'GET', f'/api/v1/intake/webhooks/deliveries/{delivery["id"]}').get_json()
    assert detail['payload']['type'] == 'ticket.created' and detail['attempt_log'][0]['status_code'] == 500
    redone = _signed(http, creds, 'POST', f'/api/v1/intake/webhooks/deliveries/{delivery["id"]}/redeliver')
    assert redone.status_code == 202 and redone.get_json()['status'] == 'delivered'
    bad = _signed(http, creds, 'GET', '/api/v1/intake/webhooks/deliveries?status=lost&limit=0')
    assert bad.status_code == 422 and set(bad.get_json()['error']['fields']) == {'status', 'limit'}


def test_delivery_pages(http, make, admin, outbound_config):
    creds = make.client()
    _subscribe(http, admin, creds.slug, closed_url())
    huey.immediate = False
    try:
        for _ in range(5):
            make.ticket(creds, channel='chat')
    finally:
        huey.immediate = True
        huey.flush()
    first = http.get(f'/api/v1/clients/{creds.slug}/webhooks/deliveries?limit=3', headers=admin.headers).get_json()
    rest = http.get(f'/api/v1/clients/{creds.slug}/webhooks/deliveries?limit=3&before={first["next_cursor"]}',
                    headers=admin.headers).get_json()
    assert len(first['items']) == 3 and len(rest['items']) == 2 and rest['next_cursor'] is None
    numbers = [d['payload']['data']['ticket']['number'] for d in
               (_delivery(http, admin, creds.slug, x['id']) for x in first['items'] + rest['items'])]
    assert numbers == [5, 4, 3, 2, 1]


# --- two workers -----------------------------------------------------------------------

def test_two_workers_never_claim_the_same_delivery(http, make, admin, app, outbound_config):
    creds = make.client()
    _subscribe(http, admin, creds.slug, closed_url())
    huey.immediate = False
    try:
        for _ in range(6):
            make.ticket(creds, channel='chat')
    finally:
        huey.immediate = True
        huey.flush()
    db.session.close()
    barrier, claimed, errors = threading.Barrier(2), [], []

    def worker():
        with app.app_context():
            session = Session(db.engine)
            try:
                barrier.wait()
                claimed.append([row_id for row_id, _attempt in
                                retry.claim_due(session, WebhookDelivery, clock.utcnow(), 4)])
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                session.close()
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []
    first, second = claimed
    assert set(first).isdisjoint(second) and len(first) + len(second) == 6
    session = Session(db.engine)
    assert retry.claim_due(session, WebhookDelivery, clock.utcnow(), 10) == []  # all leased
    session.close()


def test_a_lock_held_by_one_worker_is_skipped_by_another(app, http, make, admin, outbound_config):
    if db.engine.dialect.name != 'postgresql':
        pytest.skip('row locks are a PostgreSQL matter; SQLite serialises writers')
    creds = make.client()
    _subscribe(http, admin, creds.slug, closed_url())
    huey.immediate = False
    try:
        make.ticket(creds, channel='chat')
        make.ticket(creds, channel='chat')
    finally:
        huey.immediate = True
        huey.flush()
    db.session.close()
    holder = Session(db.engine)
    first_id = holder.scalars(sa.select(WebhookDelivery.id).order_by(WebhookDelivery.id).limit(1)
                              .with_for_update()).one()
    other = Session(db.engine)
    started = time.monotonic()
    got = [row_id for row_id, _ in retry.claim_due(other, WebhookDelivery, clock.utcnow(), 10)]
    assert first_id not in got and len(got) == 1 and time.monotonic() - started < 2
    holder.rollback()
    holder.close()
    other.close()


def test_finished_deliveries_are_pruned_after_the_retention_period(http, make, admin, receiver_factory):
    from support.outbound.tasks import prune
    receiver = receiver_factory()
    creds = make.client()
    _subscribe(http, admin, creds.slug, receiver.url)
    make.ticket(creds, channel='chat')
    _subscribe(http, admin, creds.slug, closed_url())
    make.ticket(creds, channel='chat')  # one delivered, one waiting
    clock.advance(timedelta(days=29))
    db.session.close()
    assert prune.call_local() == {'outbox': 0, 'webhooks': 0}
    clock.advance(timedelta(days=2))
    db.session.close()
    assert prune.call_local()['webhooks'] == 2  # the two delivered ones (the first ticket's and one of the second's)
    assert [d['status'] for d in _deliveries(http, admin, creds.slug)] == ['pending']


def test_queue_down_at_commit_loses_nothing(http, make, admin, receiver_factory, monkeypatch):
    from support.outbound import tasks

    def broker_down(*args):
        raise ConnectionError('redis is down')
    receiver = receiver_factory()
    creds = make.client()
    _subscribe(http, admin, creds.slug, receiver.url)
    monkeypatch.setattr(tasks, 'deliver_webhook', broker_down)
    response = make.post_ticket(creds, channel='chat')
    assert response.status_code == 201  # the change is committed even though the job could not be queued
    assert receiver.requests == []
    assert run_sweep()['webhooks'] == 1
    assert receiver.json()['data']['ticket']['number'] == response.get_json()['number']


def test_routing_assignment_is_an_event(http, make, admin, receiver_factory):
    signals = pytest.importorskip('support.routing.signals')
    from support.tickets.models import Ticket
    receiver = receiver_factory()
    creds = make.client()
    agent = make.agent()
    ticket = make.ticket(creds, channel='chat')
    _subscribe(http, admin, creds.slug, receiver.url, ['ticket.assigned'])
    row = db.session.get(Ticket, ticket['id'])
    row.assignee_id = agent.id
    signals.ticket_routed.send(row, event='queued', extra={'queue_id': 1})
    signals.ticket_routed.send(row, event='assigned', extra={'agent_id': agent.id, 'previous_agent_id': None,
                                                             'via': 'offer', 'queue_id': 1})
    db.session.commit()
    [request] = receiver.requests
    data = json.loads(request['body'])['data']
    assert data['changes'] == {'assignee_id': {'before': None, 'after': agent.id}} and data['via'] == 'offer'
    assert data['ticket']['assignee']['id'] == agent.id

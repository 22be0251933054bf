"""Webhook endpoints like Stripe's: secret rotation with a grace period, the test event, endpoints
that fail for a day disabled (the client told), re-enabling."""
import json
from datetime import timedelta

import sqlalchemy as sa

from support.audit.models import AuditEntry
from support.core import clock
from support.core.extensions import db

from ..outbound.conftest import admin, outbound_config, receiver_factory, smtp_server  # noqa: F401  (fixtures)
from ..outbound.servers import closed_url, run_sweep


def _subscribe(http, admin, slug, url, events=('ticket.created',)):
    response = http.post(f'/api/v1/clients/{slug}/webhooks', json={'url': url, 'events': list(events)},
                         headers=admin.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _base(slug, sub):
    return f"/api/v1/clients/{slug}/webhooks/{sub['id']}"


def test_rotation_keeps_the_old_secret_signing_for_the_grace_period(http, make, admin, receiver_factory):
    receiver = receiver_factory()
    creds = make.client()
    sub = _subscribe(http, admin, creds.slug, receiver.url)
    rotated = http.post(_base(creds.slug, sub) + '/rotate-secret', json={'grace_seconds': 3600},
                        headers=admin.headers)
    assert rotated.status_code == 200
    new = rotated.get_json()['secret']
    assert new != sub['secret'] and new.startswith('whsec_') and rotated.get_json()['previous_secret_expires_at']
    make.ticket(creds, channel='chat')
    assert receiver.verifies(new) and receiver.verifies(sub['secret'])  # both, while the receiver switches
    assert receiver.requests[-1]['headers']['X-Support-Signature'].count('sha256=') == 2
    clock.advance(timedelta(seconds=3601))
    make.ticket(creds, channel='chat')
    assert receiver.verifies(new) and not receiver.verifies(sub['secret'])
    assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.action == 'webhook.secret_rotated'))


def test_rotation_without_grace_stops_the_old_secret_at_once(http, make, admin, receiver_factory):
    receiver = receiver_factory()
    creds = make.client()
    sub = _subscribe(http, admin, creds.slug, receiver.url)
    new = http.post(_base(creds.slug, sub) + '/rotate-secret', json={'grace_seconds': 0},
                    headers=admin.headers).get_json()['secret']
    make.ticket(creds, channel='chat')
    assert receiver.verifies(new) and not receiver.verifies(sub['secret'])
    too_long = http.post(_base(creds.slug, sub) + '/rotate-secret', json={'grace_seconds': 30 * 86400},
                         headers=admin.headers)
    assert too_long.status_code == 422


def test_a_test_event_goes_to_that_endpoint_only(http, make, admin, receiver_factory):
    first, second = receiver_factory(), receiver_factory()
    creds = make.client()
    sub = _subscribe(http, admin, creds.slug, first.url)
    _subscribe(http, admin, creds.slug, second.url)
    response = http.post(_base(creds.slug, sub) + '/test', headers=admin.headers)
    assert response.status_code == 202
    delivery = response.get_json()
    assert delivery['event'] == 'webhook.test' and delivery['status'] == 'delivered'
    assert first.json()['type'] == 'webhook.test' and first.json()['data']['subscription_id'] == sub['id']
    assert first.verifies(sub['secret']) and second.requests == []


def test_the_client_system_rotates_and_tests_its_own_endpoints(http, make, receiver_factory):
    receiver = receiver_factory()
    creds = make.client()

    def signed(method, path, payload=None):
        raw = json.dumps(payload).encode() if payload is not None else b''
        headers = creds.headers(raw)
        if payload is None:
            headers.pop('Content-Type')
        return http.open(path, method=method, data=raw, headers=headers)
    created = signed('POST', '/api/v1/intake/webhooks', {'url': receiver.url, 'events': ['ticket.created']})
    sub = created.get_json()
    assert created.status_code == 201 and sub['secret'].startswith('whsec_')
    new = signed('POST', f"/api/v1/intake/webhooks/{sub['id']}/rotate-secret", {'grace_seconds': 60}).get_json()
    assert signed('POST', f"/api/v1/intake/webhooks/{sub['id']}/test").status_code == 202
    assert receiver.verifies(new['secret']) and receiver.verifies(sub['secret'])
    other = make.client()
    raw = b'{}'
    assert http.post(f"/api/v1/intake/webhooks/{sub['id']}/test", data=raw,
                     headers=other.headers(raw)).status_code == 404


def test_an_endpoint_failing_for_a_day_is_disabled_and_the_other_endpoint_told(http, make, admin, app,
                                                                              receiver_factory):
    healthy = receiver_factory()
    creds = make.client()
    broken = _subscribe(http, admin, creds.slug, closed_url())
    _subscribe(http, admin, creds.slug, healthy.url, ['ticket.status_changed'])
    make.ticket(creds, channel='chat')
    state = http.get(_base(creds.slug, broken), headers=admin.headers).get_json()
    assert state['active'] is True and state['failing_since']
    for hours in (6, 6, 6, 5):  # retries keep failing, not yet for a day
        clock.advance(timedelta(hours=hours))
        run_sweep()
    assert http.get(_base(creds.slug, broken), headers=admin.headers).get_json()['active'] is True
    clock.advance(timedelta(hours=1, minutes=1))
    run_sweep()
    state = http.get(_base(creds.slug, broken), headers=admin.headers).get_json()
    assert state['active'] is False and state['disabled_at'] and 'failed' in state['disabled_reason']
    run_sweep()  # the notice goes out with the next sweep
    notice = healthy.json()
    assert notice['type'] == 'webhook.endpoint_disabled' and notice['data']['subscription']['id'] == broken['id']
    pending = http.get(f'/api/v1/clients/{creds.slug}/webhooks/deliveries', query_string={
        'subscription_id': broken['id'], 'status': 'pending'}, headers=admin.headers).get_json()['items']
    assert pending == []  # waiting deliveries stopped (redeliverable)
    make.ticket(creds, channel='chat')
    run_sweep()
    assert http.get(f'/api/v1/clients/{creds.slug}/webhooks/deliveries', query_string={
        'subscription_id': broken['id']}, headers=admin.headers).get_json()['items'][0]['status'] == 'failed'
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == 'webhook.disabled')).one()
    assert (entry.actor_type, entry.client_id) == ('system', creds.id)

    enabled = http.post(_base(creds.slug, broken) + '/enable', headers=admin.headers).get_json()
    assert enabled['active'] is True and enabled['failing_since'] is None and enabled['disabled_at'] is None


def test_with_no_other_endpoint_the_contact_gets_an_email(http, make, admin, app, smtp_server, outbound_config):
    creds = make.client(notify_email='ops@acme.example.com', default_language='es')
    broken = _subscribe(http, admin, creds.slug, closed_url())
    make.ticket(creds, channel='chat')
    for _ in range(5):
        clock.advance(timedelta(hours=5))
        run_sweep()
    assert http.get(_base(creds.slug, broken), headers=admin.headers).get_json()['active'] is False
    [mail] = [m['message'] for m in smtp_server.messages if 'ops@acme.example.com' in m['message']['To']]
    assert mail['Subject'].startswith('Endpoint de webhook desactivado') and closed_url()[:17] in mail['Subject']
    assert f"/api/v1/intake/webhooks/{broken['id']}/enable" in mail.get_content()


def test_payloads_carry_the_api_version(http, make, admin, receiver_factory):
    receiver = receiver_factory()
    creds = make.client()
    sub = _subscribe(http, admin, creds.slug, receiver.url)
    make.ticket(creds, channel='chat')
    assert receiver.json()['api_version'] == sub['api_version'] == '2026-12-01'
    assert receiver.requests[-1]['headers']['X-Support-Api-Version'] == '2026-12-01'

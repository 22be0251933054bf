"""Warnings and breaches: at their second, once, live over Socket.IO, as callbacks, in history."""
from datetime import timedelta

import pytest

from support.core import clock
from support.sla import timers

from ..outbound.conftest import outbound_config, receiver_factory  # noqa: F401  (fixtures)
from ..outbound.servers import run_sweep
from ..servers import EventLog, ThreadServer
from .conftest import travel, utc

M = 60


@pytest.fixture
def server(app):
    with ThreadServer(app) as running:
        yield running


def _subscribe(http, admin, slug, url, events):
    response = http.post(f'/api/v1/clients/{slug}/webhooks', json={'url': url, 'events': events},
                         headers=admin.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_breach_reaches_a_socket_and_a_callback_exactly_once(sla, make, http, server, receiver_factory):
    creds = make.client(slug='acme')
    admin = make.agent(role='admin')
    receiver = receiver_factory()
    endpoint = _subscribe(http, admin, 'acme', receiver.url, ['sla.warning', 'sla.breached'])
    sla.policy('acme', name='Chat', targets={'first_response': 10 * M})
    travel('2026-11-16 09:00')
    supervisor = EventLog(server.url, sla.boss.token).connect()
    try:
        ticket = sla.ticket(creds, channel='email')
        clock.advance(timedelta(minutes=7, seconds=29))  # the warning point is 75 %: 7 min 30 s
        assert sla.sweep()['fired'] == 0
        clock.advance(timedelta(seconds=1))
        assert sla.sweep()['fired'] == 1
        warning = supervisor.wait_for('sla.warning')
        assert warning['ticket']['id'] == ticket['id'] and warning['clock']['metric'] == 'first_response'
        assert utc(warning['clock']['warned_at']) == utc(warning['clock']['warn_at'])
        clock.advance(timedelta(minutes=2, seconds=30))  # due now
        assert sla.sweep()['fired'] == 1
        assert sla.sweep()['fired'] == 0 and timers.fire_safely(ticket['id']) == 0  # a repeated job finds nothing
        breach = supervisor.wait_for('sla.breached')
        assert breach['ticket']['id'] == ticket['id'] and breach['clock']['status'] == 'breached'
        assert breach['ticket']['sla_due_at'] == breach['clock']['due_at']
        run_sweep()
        run_sweep()
        kinds = [receiver.json(i)['type'] for i in range(len(receiver.requests))]
        assert kinds == ['sla.warning', 'sla.breached']
        assert receiver.verifies(endpoint['secret'])  # signed with the endpoint's own secret
        data = receiver.json()['data']
        assert data['ticket']['id'] == ticket['id'] and data['sla']['metric'] == 'first_response'
        assert data['sla']['breached_at'] == data['sla']['due_at']
        assert [e['after']['metric'] for e in sla.events(ticket['id'], 'sla_breached')] == ['first_response']
        assert len(sla.events(ticket['id'], 'sla_warning')) == 1
        assert [name for name in supervisor.names() if name.startswith('sla.')] == ['sla.warning', 'sla.breached']
        assert sla.read(ticket['id'])['sla']['state'] == 'breached'
    finally:
        supervisor.close()


def test_a_late_reply_records_the_breach_it_came_after(sla, make):
    creds = make.client(slug='acme')
    sla.policy('acme', targets={'first_response': 10 * M})
    travel('2026-11-16 09:00')
    ticket = sla.ticket(creds, channel='email')
    clock.advance(timedelta(minutes=12))  # no sweep ran in between
    sla.reply(ticket['id'])
    first = sla.clocks(ticket['id'])['first_response']
    assert first['status'] == 'breached' and first['stopped_at'] is not None
    assert utc(first['breached_at']) == utc(first['due_at'])
    assert first['business_seconds_used'] == 12 * M
    assert len(sla.events(ticket['id'], 'sla_breached')) == 1
    assert sla.sweep()['fired'] == 0


def test_a_paused_clock_never_breaches(sla, make):
    creds = make.client(slug='acme')
    sla.policy('acme', targets={'resolution': 60 * M})
    travel('2026-11-16 09:00')
    ticket = sla.ticket(creds, channel='email')
    sla.reply(ticket['id'], status='pending')
    clock.advance(timedelta(hours=5))
    assert sla.sweep()['fired'] == 0
    assert sla.clocks(ticket['id'])['resolution']['status'] == 'paused'


def test_breach_raises_the_priority_and_escalates_a_waiting_chat(sla, make, http):
    creds = make.client(slug='acme')
    sla.policy('acme', targets={'answer': 30}, on_breach={'priority': 'urgent', 'escalation': 2})
    travel('2026-11-16 09:00')
    ticket = sla.ticket(creds, channel='chat', priority='normal')
    clock.advance(timedelta(seconds=31))
    assert sla.sweep()['fired'] >= 1
    detail = sla.read(ticket['id'])
    assert detail['priority'] == 'urgent'
    assert [e['after'] for e in detail['events'] if e['kind'] == 'escalated'] == [{'escalation': 2, 'via': 'sla'}]
    assert [e['after']['priority'] for e in detail['events'] if e['kind'] == 'priority_changed'] == ['urgent']


def test_timers_near_at_hand_are_armed_for_their_second(sla, make, app, monkeypatch):
    from support.core import jobs
    armed = []
    monkeypatch.setattr(jobs, 'enqueue', lambda name, *args, eta=None: armed.append((name, args, eta)))
    creds = make.client(slug='acme')
    sla.policy('acme', targets={'answer': 40, 'resolution': 8 * 3600})
    travel('2026-11-16 09:00')
    ticket = sla.ticket(creds, channel='chat')
    answer = sla.clocks(ticket['id'])['answer']
    # the answer warning (30 s) is within reach of this request; the resolution's hours away are not
    assert ('sla.timer', (ticket['id'],), utc(answer['warn_at'])) in armed
    armed.clear()
    clock.advance(timedelta(hours=6, seconds=-30))  # the resolution warning (6 h) comes within the minute
    result = sla.sweep()
    resolution = sla.clocks(ticket['id'])['resolution']
    assert result['armed'] == 1 and armed[-1] == ('sla.timer', (ticket['id'],), utc(resolution['warn_at']))

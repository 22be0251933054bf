"""Telephony call events: a call becomes a phone ticket or a message on the caller's open ticket, with its log."""
import json
import threading

import sqlalchemy as sa

from support.channels.models import Call
from support.core.extensions import db
from support.tickets.models import Message, Ticket, TicketEvent

from .providers import as_agent


def post_event(http, creds, event, call_id='CA-100', **fields):
    body = {'call_id': call_id, 'event': event, 'from': '+1 (415) 555-0101', 'to': '+18005550199', **fields}
    raw = json.dumps(body).encode()
    return http.post('/api/v1/channels/phone/events', data=raw, headers=creds.headers(raw))


def test_a_call_becomes_a_phone_ticket_with_its_call_log(http, make):
    creds = make.client()
    agent = make.agent(email='rosa@example.com', name='Rosa')
    ringing = post_event(http, creds, 'ringing', caller_name='Pedro Gómez', language='es')
    assert ringing.status_code == 201 and ringing.get_json()['call']['status'] == 'ringing'
    answered = post_event(http, creds, 'answered', agent={'email': 'rosa@example.com'})
    assert answered.status_code == 200 and answered.get_json()['call']['agent'] == {'id': agent.id, 'name': 'Rosa'}
    ended = post_event(http, creds, 'ended', duration_seconds=312, disposition='resolved',
                       recording_url='https://recordings.example/CA-100.mp3', notes='Reinició el módem; funciona.')
    call = ended.get_json()['call']
    assert call['status'] == 'ended' and call['duration_seconds'] == 312 and call['disposition'] == 'resolved'
    assert call['recording_url'].endswith('CA-100.mp3') and call['notes'] == 'Reinició el módem; funciona.'
    ticket = db.session.get(Ticket, call['ticket'])
    assert ticket.channel.value == 'phone' and ticket.language == 'es' and ticket.customer.phone == '+14155550101'
    assert ticket.customer.name == 'Pedro Gómez'
    kinds = [e.kind for e in db.session.scalars(sa.select(TicketEvent).filter_by(ticket_id=ticket.id))]
    assert kinds[-3:] == ['call_ringing', 'call_answered', 'call_ended']
    log = as_agent(http, agent, 'GET', f'/api/v1/channels/calls?ticket={ticket.id}')
    assert log.status_code == 200 and [c['call_id'] for c in log.get_json()] == ['CA-100']


def test_a_call_from_a_customer_with_an_open_ticket_becomes_a_message_on_it(http, make):
    creds = make.client()
    ticket = make.ticket(creds, channel='email', customer={'name': 'Pedro', 'phone': '+14155550101'})
    response = post_event(http, creds, 'ringing', call_id='CA-200')
    assert response.get_json()['ticket'] == ticket['id']
    messages = db.session.scalars(sa.select(Message).filter_by(ticket_id=ticket['id'])).all()
    assert len(messages) >= 2 and messages[-1].body.startswith('☎ +14155550101')
    assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == 1


def test_events_out_of_order_and_retries(http, make):
    creds = make.client()
    assert post_event(http, creds, 'ended', duration_seconds=40, disposition='no_answer').status_code == 201
    late = post_event(http, creds, 'ringing')
    assert late.status_code == 200 and late.get_json()['call']['status'] == 'ended'
    retry = post_event(http, creds, 'ringing')
    assert retry.status_code == 200 and retry.get_json()['status'] == 'duplicate'
    assert db.session.scalar(sa.select(sa.func.count(Call.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(TicketEvent.id)).where(TicketEvent.kind.like('call_%'))) == 2


def test_two_calls_of_one_caller_share_the_open_ticket(http, make):
    creds = make.client()
    first = post_event(http, creds, 'ringing', call_id='A').get_json()['ticket']
    second = post_event(http, creds, 'ringing', call_id='B').get_json()['ticket']
    assert first == second and db.session.scalar(sa.select(sa.func.count(Call.id))) == 2


INVALID_EVENTS_CASES = [{'event': 'hold'}, {'from': 'abc'}, {'from': '....'}, {'duration_seconds': -1},
                                    {'agent': {'id': 0}}, {'occurred_at': '2026-01-01T10:00:00'},
                                    {'recording_url': 'ftp://x/y'}, {'notes': 'x' * 10001}, {'call_id': ''}]


def test_invalid_events(http, make):
    for fields in INVALID_EVENTS_CASES:
        creds = make.client()
        body = {'call_id': 'C', 'event': 'ringing', 'from': '+14155550101', **fields}
        raw = json.dumps(body).encode()
        response = http.post('/api/v1/channels/phone/events', data=raw, headers=creds.headers(raw))
        assert response.status_code == 422
        assert db.session.scalar(sa.select(sa.func.count(Call.id))) == 0


def test_concurrent_events_of_one_call(app, make):
    creds = make.client()
    db.session.remove()
    statuses = []

    def send(event):
        statuses.append(post_event(app.test_client(), creds, event, duration_seconds=5).status_code)
    threads = [threading.Thread(target=send, args=(e,)) for e in ('ringing', 'answered', 'ended', 'ringing')]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.remove()
    assert sorted(statuses) == [200, 200, 200, 201]
    assert db.session.scalar(sa.select(sa.func.count(Call.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == 1
    assert db.session.scalar(sa.select(Call.status)).value == 'ended'


def test_call_progress_is_pushed_live_to_supervisors(app, make):
    import requests

    from ..servers import EventLog, ThreadServer
    creds = make.client()
    boss = make.agent(role='supervisor')
    with ThreadServer(app) as server:
        log = EventLog(server.url, boss.token).connect()
        try:
            for event, extra in (('ringing', {}), ('ended', {'duration_seconds': 61, 'disposition': 'resolved'})):
                raw = json.dumps({'call_id': 'CA-LIVE', 'event': event, 'from': '+14155550101', **extra}).encode()
                assert requests.post(server.url + '/api/v1/channels/phone/events', data=raw,
                                     headers=creds.headers(raw), timeout=10).status_code in (200, 201)
            ended = log.wait_for('call.updated', where=lambda d: d['event'] == 'ended')
            assert ended['call']['call_id'] == 'CA-LIVE' and ended['call']['duration_seconds'] == 61
            assert ended['ticket']['channel'] == 'phone'
            assert [d['event'] for n, d, _at in log.events if n == 'call.updated'] == ['ringing', 'ended']
        finally:
            log.close()

"""Next response cycles, reopening, real-time answers (offers and calls) and abandoned calls."""
import json
from datetime import timedelta

from support.core import clock

from ..routing.conftest import routing  # noqa: F401  (fixture)
from .conftest import travel, utc

M = 60
H = 3600


def test_each_customer_message_after_a_reply_starts_a_next_response_clock(sla, make, http):
    creds = make.client(slug='acme')
    sla.policy('acme', targets={'first_response': H, 'next_response': 30 * M})
    travel('2026-11-16 09:00')
    ticket = _chat(http, creds, 'My modem blinks orange since this morning', 'a1')
    _chat(http, creds, 'It is the Arris one', 'a2')  # before any reply: still the first response
    assert [c['metric'] for c in sla.read(ticket)['sla']['clocks']] == ['first_response']
    clock.advance(timedelta(minutes=5))
    sla.reply(ticket)
    clock.advance(timedelta(minutes=5))
    _chat(http, creds, 'Still orange after the restart', 'a3')
    clock.advance(timedelta(minutes=10))
    _chat(http, creds, 'Hello?', 'a4')  # the same unanswered stretch: no second clock
    clock.advance(timedelta(minutes=5))
    sla.reply(ticket)
    clock.advance(timedelta(minutes=1))
    _chat(http, creds, 'Now it is green, thanks', 'a5')
    clocks = sla.read(ticket)['sla']['clocks']
    assert [(c['metric'], c['sequence'], c['status']) for c in clocks] == [
        ('first_response', 1, 'met'), ('next_response', 1, 'met'), ('next_response', 2, 'active')]
    assert clocks[1]['business_seconds_used'] == 15 * M
    assert utc(clocks[2]['due_at']) == utc(clocks[2]['started_at']) + timedelta(minutes=30)


def test_a_reopened_ticket_resumes_its_resolution_clock(sla, make, http):
    creds = make.client(slug='acme')
    sla.policy('acme', targets={'resolution': 4 * H})
    travel('2026-11-16 09:00')
    ticket = _chat(http, creds, 'The modem drops every evening', 'r1')
    clock.advance(timedelta(hours=1))
    sla.reply(ticket, status='resolved')
    resolved = sla.clocks(ticket)['resolution']
    assert resolved['status'] == 'met' and resolved['business_seconds_used'] == H
    clock.advance(timedelta(hours=2))
    _chat(http, creds, 'It dropped again tonight', 'r2')  # reopens
    resumed = sla.clocks(ticket)['resolution']
    assert sla.read(ticket)['status'] == 'open'
    assert resumed['status'] == 'active' and resumed['stopped_at'] is None
    assert resumed['business_seconds_used'] == H  # the two resolved hours do not count
    assert utc(resumed['due_at']) == utc(resumed['started_at']) + timedelta(hours=6)


def test_accepting_an_offer_answers_the_chat(sla, make, http, routing):
    creds = make.client(slug='acme')
    sla.policy('acme', targets={'answer': 30, 'first_response': 2 * M})
    agent = routing.agent()
    travel('2026-11-16 09:00')
    ticket = sla.ticket(creds, channel='chat')
    offer = routing.offers(agent)[0]
    clock.advance(timedelta(seconds=12))
    assert http.post(f"/api/v1/routing/offers/{offer['id']}/accept", headers=agent.headers).status_code == 200
    clocks = sla.clocks(ticket['id'])
    assert clocks['answer']['status'] == 'met' and clocks['answer']['business_seconds_used'] == 12
    assert clocks['first_response']['status'] == 'active'  # accepting is not a reply


def test_a_call_picked_up_answers_and_one_hung_up_is_abandoned(sla, make, http):
    creds = make.client(slug='acme')
    sla.policy('acme', targets={'answer': 20, 'first_response': M})
    travel('2026-11-16 09:00')
    picked = _call(http, creds, 'call-1', '+15550001', 'ringing')
    clock.advance(timedelta(seconds=8))
    _call(http, creds, 'call-1', '+15550001', 'answered', agent={'name': 'Emily'})
    clocks = sla.clocks(picked)
    assert clocks['answer']['status'] == 'met' and clocks['answer']['business_seconds_used'] == 8
    assert clocks['first_response']['status'] == 'met'  # a person spoke to the caller
    dropped = _call(http, creds, 'call-2', '+15550002', 'ringing')
    clock.advance(timedelta(seconds=9))
    _call(http, creds, 'call-2', '+15550002', 'ended', duration_seconds=0)
    assert sla.clocks(dropped)['answer']['status'] == 'cancelled'  # abandoned inside the target: not counted


def _chat(http, creds, text, message_id, conversation='conv-1') -> int:
    from .conftest import chat_body
    raw = chat_body(conversation=conversation, text=text, message_id=message_id, language='en')
    response = http.post('/api/v1/channels/chat/messages', data=raw, headers=creds.headers(raw))
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()['ticket']


def _call(http, creds, call_id, caller, event, **extra) -> int:
    raw = json.dumps({'call_id': call_id, 'event': event, 'from': caller, 'language': 'en', **extra}).encode()
    response = http.post('/api/v1/channels/phone/events', data=raw, headers=creds.headers(raw))
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()['ticket']


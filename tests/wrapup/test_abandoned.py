"""Abandoned: a chat or call whose customer left before any agent accepted it."""
import json
import time
from datetime import datetime, timedelta, timezone

from support.core import clock

from tests.channels.test_chat import post_chat
from tests.channels.test_phone import post_event

from .helpers import ticket


def post_left(http, creds, conversation_id='conv-1', **extra):
    raw = json.dumps({'conversation_id': conversation_id, **extra}).encode()
    return http.post('/api/v1/channels/chat/left', data=raw, headers=creds.headers(raw))


def test_a_chat_left_while_offered_is_abandoned_and_the_offer_withdrawn(routing, http, make):
    creds = make.client()
    agent = routing.agent(languages=('en', 'es'), capacities={'chat': 1})
    made = post_chat(http, creds).get_json()['ticket']
    [offer] = routing.offers(agent)
    assert offer['ticket']['id'] == made
    clock.travel_to(clock.utcnow(), freeze=True)
    left = post_left(http, creds)
    assert left.status_code == 200, left.get_json()
    assert left.get_json()['ticket'] == made and left.get_json()['abandoned'] is True
    assert routing.offers(agent) == []
    assert routing.offer_rows(made)[0].status.value == 'cancelled'
    assert routing.item(made).state.value == 'done' and routing.me(agent)['load']['chat'] == 0
    shown = ticket(http, agent, made)
    assert shown['abandoned_at'] and datetime.fromisoformat(shown['abandoned_at']) == clock.utcnow()
    assert 'abandoned' in [e['kind'] for e in shown['events']]
    again = post_left(http, creds)  # the gateway retries: nothing changes
    assert again.status_code == 200 and again.get_json()['abandoned_at'] == left.get_json()['abandoned_at']
    assert post_left(http, creds, conversation_id='never-seen').get_json() == {
        'ticket': None, 'abandoned': False, 'abandoned_at': None}


def test_a_chat_an_agent_accepted_is_not_abandoned_when_the_visitor_leaves(routing, http, make):
    creds = make.client()
    agent = routing.agent(languages=('en', 'es'))
    made = post_chat(http, creds).get_json()['ticket']
    [offer] = routing.offers(agent)
    assert http.post(f"/api/v1/routing/offers/{offer['id']}/accept", headers=agent.headers).status_code == 200
    assert post_left(http, creds).get_json()['abandoned'] is False
    assert ticket(http, agent, made)['abandoned_at'] is None


def test_a_visitor_who_comes_back_waits_in_the_queue_again(routing, http, make):
    creds = make.client()
    made = post_chat(http, creds).get_json()['ticket']
    post_left(http, creds, left_at=(datetime.now(timezone.utc) - timedelta(seconds=5)).isoformat())
    assert routing.item(made).state.value == 'done'
    post_chat(http, creds, message_id=f'msg-{time.time_ns()}', text='Sigo aquí, perdón.')
    assert routing.item(made).state.value == 'waiting'
    agent = routing.agent(languages=('en', 'es'))
    assert routing.offers(agent)[0]['ticket']['id'] == made
    assert ticket(http, agent, made)['abandoned_at'] is None


def test_a_caller_who_hangs_up_unanswered_abandons_the_call(routing, http, make):
    creds = make.client()
    agent = routing.agent(languages=('en', 'es'))
    ringing = post_event(http, creds, 'ringing', call_id='CA-1')
    made = ringing.get_json()['ticket']
    assert routing.offers(agent)[0]['ticket']['id'] == made
    post_event(http, creds, 'ended', call_id='CA-1', duration_seconds=0)
    assert routing.offers(agent) == []
    assert ticket(http, agent, made)['abandoned_at']
    answered = post_event(http, creds, 'ringing', call_id='CA-2', **{'from': '+1 212 555 0100'})
    other = answered.get_json()['ticket']
    [offer] = routing.offers(agent)
    http.post(f"/api/v1/routing/offers/{offer['id']}/accept", headers=agent.headers)
    post_event(http, creds, 'ended', call_id='CA-2', duration_seconds=0, **{'from': '+1 212 555 0100'})
    assert ticket(http, agent, other)['abandoned_at'] is None  # an agent had accepted it

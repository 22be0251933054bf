"""Wrap-up: after resolving or handing off a ticket, the agent keeps its capacity for a while."""
from datetime import timedelta

import pytest

from support.core import clock
from support.wrapup import tasks

from .helpers import reply_and_resolve, set_client, ticket, wrapups


@pytest.fixture
def setup(routing, make, http):
    """An admin, a client and an agent with room for one e-mail at a time, holding ticket ``first``."""
    class Setup:
        pass
    s = Setup()
    s.admin = make.agent(role='admin')
    s.client = make.client()
    s.agent = routing.agent(capacities={'email': 1})
    s.first = make.ticket(s.client)
    s.second = make.ticket(s.client)
    assert routing.item(s.first['id']).agent_id == s.agent.id
    assert routing.item(s.second['id']).state.value == 'waiting'
    return s


def test_resolving_starts_a_wrap_up_that_keeps_the_capacity_until_the_agent_ends_it(setup, routing, http):
    clock.travel_to(clock.utcnow(), freeze=True)
    assert reply_and_resolve(http, setup.agent, setup.first['id']).status_code == 201
    me = routing.me(setup.agent)
    assert me['presence']['activity'] == 'wrap_up' and me['presence']['status'] == 'available'
    [running] = me['presence']['wrapups']
    assert running['ticket_id'] == setup.first['id'] and running['trigger'] == 'resolve'
    assert running['seconds_left'] == 60 and me['load']['email'] == 1
    assert routing.item(setup.second['id']).state.value == 'waiting'  # nothing is offered into the wrap-up

    listed = http.get('/api/v1/routing/wrapups', headers=setup.agent.headers).get_json()
    assert [w['id'] for w in listed] == [running['id']]
    clock.advance(timedelta(seconds=20))
    response = http.post(f"/api/v1/routing/wrapups/{running['id']}/end", json={}, headers=setup.agent.headers)
    assert response.status_code == 200, response.get_json()
    ended = response.get_json()
    assert ended['ended_by'] == 'agent' and ended['ended_at'] and ended['seconds_left'] == 0
    assert routing.item(setup.second['id']).agent_id == setup.agent.id  # the freed capacity was filled
    me = routing.me(setup.agent)
    assert me['presence']['activity'] == 'available' and me['presence']['wrapups'] == []
    [row] = wrapups(setup.agent.id)
    assert row.ended_at - row.started_at == timedelta(seconds=20)

    again = http.post(f"/api/v1/routing/wrapups/{running['id']}/end", json={}, headers=setup.agent.headers)
    assert again.status_code == 409 and again.get_json()['error']['code'] == 'wrapup_ended'


def test_the_timer_ends_it_at_the_clients_limit(setup, routing, http):
    set_client(http, setup.admin, setup.client.slug, wrapup_seconds=90)
    reply_and_resolve(http, setup.agent, setup.first['id'])
    clock.advance(timedelta(seconds=85))
    tasks.wrapup_sweep()
    assert routing.item(setup.second['id']).state.value == 'waiting'
    clock.advance(timedelta(seconds=6))
    tasks.wrapup_sweep()
    assert routing.item(setup.second['id']).agent_id == setup.agent.id
    [row] = wrapups(setup.agent.id)
    assert row.ended_by.value == 'timer' and row.due_at - row.started_at == timedelta(seconds=90)
    assert routing.me(setup.agent)['load']['email'] == 1  # the second ticket, not the wrap-up


def test_a_client_without_wrap_up_frees_the_capacity_at_once(setup, routing, http):
    set_client(http, setup.admin, setup.client.slug, wrapup_seconds=0)
    reply_and_resolve(http, setup.agent, setup.first['id'])
    assert wrapups() == []
    assert routing.item(setup.second['id']).agent_id == setup.agent.id


def test_handing_off_starts_a_wrap_up_for_the_agent_who_did_it(setup, routing, http):
    other = routing.agent(capacities={'email': 2})
    response = http.post(f"/api/v1/tickets/{setup.first['id']}/transfer", json={'agent_id': other.id},
                         headers=setup.agent.headers)
    assert response.status_code == 200, response.get_json()
    [wrap] = wrapups(setup.agent.id)
    assert wrap.trigger.value == 'transfer' and wrap.ended_at is None
    assert routing.me(setup.agent)['load']['email'] == 1
    # a supervisor moving someone's ticket is not their hand-off: no wrap-up for the holder
    response = http.post(f"/api/v1/tickets/{setup.first['id']}/reassign", json={'agent_id': setup.agent.id},
                         headers=routing.boss.headers)
    assert response.status_code == 409  # the wrap-up still holds the agent's only unit
    response = http.post(f"/api/v1/tickets/{setup.second['id']}/reassign", json={'agent_id': other.id},
                         headers=routing.boss.headers)
    assert response.status_code == 200
    assert len(wrapups(other.id)) == 0


def test_sending_a_ticket_back_to_a_queue_is_a_hand_off_too(setup, routing, http):
    queue_id = routing.item(setup.first['id']).queue_id
    response = http.post(f"/api/v1/tickets/{setup.first['id']}/transfer", json={'queue_id': queue_id},
                         headers=setup.agent.headers)
    assert response.status_code == 200, response.get_json()
    [wrap] = wrapups(setup.agent.id)
    assert wrap.trigger.value == 'unassign'


def test_going_offline_ends_the_wrap_up(setup, routing, http):
    reply_and_resolve(http, setup.agent, setup.first['id'])
    routing.presence(setup.agent, 'offline')
    [wrap] = wrapups(setup.agent.id)
    assert wrap.ended_by.value == 'offline'
    assert routing.me(setup.agent)['load']['email'] == 0


def test_a_ticket_reopened_during_wrap_up_takes_the_capacity_back(setup, routing, http, make):
    reply_and_resolve(http, setup.agent, setup.first['id'])
    # the customer writes again (through whichever channel: they all end in add_customer_message)
    from support.core.extensions import db
    from support.tickets.models import Ticket
    from support.tickets.operations import SYSTEM, add_customer_message
    row = db.session.get(Ticket, setup.first['id'])
    add_customer_message(row, 'It broke again, please help.', SYSTEM)
    db.session.commit()
    [wrap] = wrapups(setup.agent.id)
    assert wrap.ended_by.value == 'reopened'
    assert ticket(http, setup.agent, setup.first['id'])['status'] == 'open'
    assert routing.item(setup.first['id']).agent_id == setup.agent.id
    assert routing.me(setup.agent)['load']['email'] == 1


def test_nobody_else_ends_my_wrap_up(setup, routing, http, make):
    reply_and_resolve(http, setup.agent, setup.first['id'])
    [wrap] = wrapups(setup.agent.id)
    wrap_id = wrap.id
    stranger = routing.agent()
    response = http.post(f'/api/v1/routing/wrapups/{wrap_id}/end', json={}, headers=stranger.headers)
    assert response.status_code == 404
    response = http.post(f'/api/v1/routing/wrapups/{wrap_id}/end', json={}, headers=routing.boss.headers)
    assert response.status_code == 200 and response.get_json()['ended_by'] == 'agent'


def test_supervisors_see_the_wrap_up_in_the_agents_list(setup, routing, http):
    reply_and_resolve(http, setup.agent, setup.first['id'])
    agents = http.get('/api/v1/routing/agents', headers=routing.boss.headers).get_json()
    entry = next(a for a in agents if a['id'] == setup.agent.id)
    assert entry['presence']['activity'] == 'wrap_up'
    assert entry['presence']['wrapups'][0]['ticket_id'] == setup.first['id']

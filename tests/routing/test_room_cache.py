"""Intake remembers that nobody has room on a channel (and skips looking for candidates) only
until presence, skills or capacity change: then the next ticket is routed at once."""
from support.agents import availability
from support.routing.models import ItemState


def _nobody_known(channel):
    entry = availability._room._data.get(channel)
    return entry is not None and entry[1] is False


def test_an_agent_coming_online_gets_the_next_ticket_at_once(routing, make):
    agent = routing.agent(presence='offline')
    waiting = make.ticket(channel='chat')
    assert routing.item(waiting['id']).state == ItemState.waiting and _nobody_known('chat')
    routing.presence(agent, 'available')
    assert not _nobody_known('chat')
    assert [o['ticket']['id'] for o in routing.offers(agent)] == [waiting['id']]  # pulled on coming online
    fresh = make.ticket(channel='chat')
    assert routing.item(fresh['id']).state == ItemState.offered  # routed by intake itself


def test_more_capacity_is_used_by_the_next_ticket(routing, make):
    agent = routing.agent(capacities={'email': 1})
    first = make.ticket(channel='email')
    assert routing.item(first['id']).agent_id == agent.id
    second = make.ticket(channel='email')
    assert routing.item(second['id']).state == ItemState.waiting and _nobody_known('email')
    routing.supervisor_patch(agent.id, capacities={'email': 3})
    assert routing.item(second['id']).agent_id == agent.id  # the agent pulled it
    third = make.ticket(channel='email')
    assert routing.item(third['id']).agent_id == agent.id

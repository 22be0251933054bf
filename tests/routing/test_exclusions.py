"""Exclusions expire: a ticket every agent declined is still answered."""
from datetime import timedelta

from support.core import clock
from support.routing.tasks import routing_sweep


def _decline_all(routing, http, agents):
    for agent in agents:
        for offer in routing.offers(agent):
            assert http.post(f"/api/v1/routing/offers/{offer['id']}/decline", headers=agent.headers).status_code == 200


def test_every_agent_declines_once_and_the_ticket_is_still_answered(routing, make, http):
    agents = [routing.agent(languages=['es']) for _ in range(3)]
    ticket = make.ticket(channel='whatsapp', language='es')
    for _ in agents:  # the offer goes round: each declines it once
        _decline_all(routing, http, agents)
    assert all(routing.offers(a) == [] for a in agents)
    assert {agent_id for agent_id, _until in routing.item(ticket['id']).excluded} == {a.id for a in agents}
    clock.advance(timedelta(seconds=21))  # the grace: nobody else could take it, so a decliner may
    routing_sweep.call_local()
    offered = [a for a in agents if routing.offers(a)]
    assert len(offered) == 1
    offer = routing.offers(offered[0])[0]
    assert http.post(f"/api/v1/routing/offers/{offer['id']}/accept", headers=offered[0].headers).status_code == 200
    assert http.get(f"/api/v1/tickets/{ticket['id']}", headers=offered[0].headers).get_json()['assignee']['id'] \
        == offered[0].id


def test_an_exclusion_lapses_after_the_channel_time(routing, make, http, app, monkeypatch):
    monkeypatch.setitem(app.config, 'SUPPORT_EXCLUSION_TIMEOUTS', {'chat': 120})
    monkeypatch.setitem(app.config, 'SUPPORT_EXCLUSION_GRACE', 3600)  # only the channel time can let it lapse
    first = routing.agent()
    ticket = make.ticket(channel='chat')
    _decline_all(routing, http, [first])
    clock.advance(timedelta(seconds=119))
    routing.presence(first, 'away', 'break')
    routing.presence(first, 'available')
    assert routing.offers(first) == []  # coming back to work: still kept from it
    clock.advance(timedelta(seconds=2))
    routing.presence(first, 'away', 'break')
    routing.presence(first, 'available')
    assert [o['ticket']['id'] for o in routing.offers(first)] == [ticket['id']]


def test_a_decliner_back_at_work_gets_a_ticket_nobody_else_can_take(routing, make, http):
    first = routing.agent()
    ticket = make.ticket(channel='chat')
    _decline_all(routing, http, [first])
    routing.presence(first, 'away', 'break')
    clock.advance(timedelta(seconds=30))
    routing.presence(first, 'available')
    assert [o['ticket']['id'] for o in routing.offers(first)] == [ticket['id']]


def test_the_decliner_is_not_offered_the_same_ticket_again_at_once(routing, make, http):
    only = routing.agent()
    ticket = make.ticket(channel='chat')
    _decline_all(routing, http, [only])
    assert routing.offers(only) == []
    assert routing.item(ticket['id']).state.value == 'waiting'

"""Routing end to end through the API: offers, direct assignment, pulls, expiry, escalation."""
from datetime import timedelta

from support.core import clock
from support.core.extensions import db
from support.routing import operations
from support.routing.models import ItemState


def sweep():
    operations.sweep_offers()
    operations.sweep_escalations()
    operations.run_pending()


def test_email_is_assigned_directly_and_counts_against_capacity(routing, make, http):
    agent = routing.agent()
    ticket = make.ticket(channel='email')
    assert routing.item(ticket['id']).state == ItemState.assigned
    detail = http.get(f"/api/v1/tickets/{ticket['id']}", headers=agent.headers).get_json()
    assert detail['assignee']['id'] == agent.id
    assert routing.me(agent)['load']['email'] == 1
    assert any(e['kind'] == 'assigned' for e in detail.get('events', detail.get('history', [])))


def test_chat_is_offered_then_accepted(routing, make, http):
    agent = routing.agent()
    ticket = make.ticket(channel='chat')
    offers = routing.offers(agent)
    assert len(offers) == 1 and offers[0]['ticket']['id'] == ticket['id'] and offers[0]['status'] == 'pending'
    assert offers[0]['expires_at'] > offers[0]['created_at'] and offers[0]['agent_id'] == agent.id
    assert routing.me(agent)['load']['chat'] == 1  # an offer reserves capacity
    response = http.post(f"/api/v1/routing/offers/{offers[0]['id']}/accept", headers=agent.headers)
    assert response.status_code == 200 and response.get_json()['assignee_id'] == agent.id
    again = http.post(f"/api/v1/routing/offers/{offers[0]['id']}/accept", headers=agent.headers)
    assert again.status_code == 409
    assert routing.me(agent)['load']['chat'] == 1 and routing.offers(agent) == []


def test_decline_goes_to_the_next_agent_and_back_only_when_nobody_else_can(routing, make, http):
    first = routing.agent()
    clock.advance(timedelta(seconds=1))
    second = routing.agent()
    ticket = make.ticket(channel='chat')
    offered_to = first if routing.offers(first) else second
    other = second if offered_to is first else first
    offer = routing.offers(offered_to)[0]
    assert http.post(f"/api/v1/routing/offers/{offer['id']}/decline", headers=offered_to.headers).get_json() == {
        'ok': True}
    assert routing.offers(offered_to) == []
    assert routing.offers(other)[0]['ticket']['id'] == ticket['id']
    next_offer = routing.offers(other)[0]
    http.post(f"/api/v1/routing/offers/{next_offer['id']}/decline", headers=other.headers)
    assert routing.offers(first) == [] and routing.offers(second) == []
    assert routing.item(ticket['id']).state == ItemState.waiting
    assert routing.me(first)['load']['chat'] == 0
    # both declined: once the grace has passed, the sweep offers it back rather than let it wait
    clock.advance(timedelta(seconds=21))
    from support.routing.tasks import routing_sweep
    routing_sweep.call_local()
    assert [o['ticket']['id'] for o in routing.offers(first) + routing.offers(second)] == [ticket['id']]


def test_someone_elses_offer_is_404(routing, make, http):
    agent = routing.agent()
    intruder = make.agent()
    make.ticket(channel='chat')
    offer = routing.offers(agent)[0]
    assert http.post(f"/api/v1/routing/offers/{offer['id']}/accept", headers=intruder.headers).status_code == 404
    assert http.post('/api/v1/routing/offers/999/decline', headers=agent.headers).status_code == 404


def test_expiry_moves_on_and_sends_the_agent_away(routing, make, http):
    first = routing.agent()
    ticket = make.ticket(channel='chat')
    offer = routing.offers(first)[0]
    second = routing.agent()
    clock.advance(timedelta(seconds=29))
    sweep()
    assert routing.offers(first)[0]['status'] == 'pending'
    clock.advance(timedelta(seconds=2))
    assert http.post(f"/api/v1/routing/offers/{offer['id']}/accept", headers=first.headers).status_code == 409
    sweep()
    assert routing.me(first)['presence'] == {**routing.me(first)['presence'], 'status': 'away',
                                             'reason': 'missed_offer'}
    assert routing.offers(second)[0]['ticket']['id'] == ticket['id']
    assert [o.status.value for o in routing.offer_rows(ticket['id'])] == ['expired', 'pending']
    sweep()  # a repeated sweep changes nothing
    assert [o.status.value for o in routing.offer_rows(ticket['id'])] == ['expired', 'pending']


def test_expiry_without_away(routing, make, app):
    app.config['SUPPORT_AWAY_ON_MISS'] = False
    app.config['SUPPORT_OFFER_TIMEOUTS'] = {'chat': 10}
    try:
        agent = routing.agent()
        make.ticket(channel='chat')
        clock.advance(timedelta(seconds=11))
        sweep()
        assert routing.me(agent)['presence']['status'] == 'available'
    finally:
        app.config.pop('SUPPORT_AWAY_ON_MISS')
        app.config.pop('SUPPORT_OFFER_TIMEOUTS')


def test_waiting_ticket_pulled_when_agent_becomes_available(routing, make):
    ticket = make.ticket(channel='email')
    assert routing.item(ticket['id']).state == ItemState.waiting
    agent = routing.agent()
    assert routing.item(ticket['id']).state == ItemState.assigned
    assert routing.item(ticket['id']).agent_id == agent.id


def test_pull_takes_priority_first(routing, make):
    low = make.ticket(channel='email', priority='low')
    urgent = make.ticket(channel='email', priority='urgent')
    normal = make.ticket(channel='email')
    agent = routing.agent(presence=None, capacities={'email': 1})
    routing.presence(agent, 'available')
    assert routing.item(urgent['id']).agent_id == agent.id
    assert routing.item(low['id']).state == ItemState.waiting and routing.item(normal['id']).state == ItemState.waiting


def test_resolving_frees_capacity_and_pulls_the_next(routing, make, http):
    agent = routing.agent(capacities={'email': 1})
    first = make.ticket(channel='email')
    second = make.ticket(channel='email')
    assert routing.item(second['id']).state == ItemState.waiting
    http.post(f"/api/v1/tickets/{first['id']}/messages", json={'kind': 'reply', 'body': 'Fixed.'},
              headers=agent.headers)
    response = http.patch(f"/api/v1/tickets/{first['id']}", json={'status': 'resolved'}, headers=agent.headers)
    assert response.status_code == 200
    assert routing.item(first['id']).state == ItemState.done
    # the agent's wrap-up keeps the capacity (docs/wrapup.md) until they end it
    assert routing.item(second['id']).state == ItemState.waiting
    [wrapup] = http.get('/api/v1/routing/wrapups', headers=agent.headers).get_json()
    http.post(f"/api/v1/routing/wrapups/{wrapup['id']}/end", json={}, headers=agent.headers)
    assert routing.item(second['id']).agent_id == agent.id
    assert routing.me(agent)['load']['email'] == 1


def test_gaining_a_skill_pulls(routing, make):
    ticket = make.ticket(channel='email', language='es', body='Mi módem no funciona desde ayer por la tarde.')
    agent = routing.agent(languages=['en'])
    assert routing.item(ticket['id']).state == ItemState.waiting
    routing.supervisor_patch(agent.id, languages=['en', 'es'])
    assert routing.item(ticket['id']).agent_id == agent.id


def test_eligibility_language_client_product(routing, make):
    acme = make.client(slug='acme')
    other = make.client(slug='other')
    english = routing.agent(languages=['en'])
    routing.supervisor_patch(english.id, clients=['acme'], products=['modem'])
    t1 = make.ticket(acme, channel='email', product='modem')
    t2 = make.ticket(acme, channel='email', product='tv')
    t3 = make.ticket(other, channel='email')
    assert routing.item(t1['id']).agent_id == english.id
    assert routing.item(t2['id']).state == ItemState.waiting and routing.item(t3['id']).state == ItemState.waiting


def test_spare_capacity_ratio_then_longest_idle(routing, make):
    big = routing.agent(capacities={'email': 6})
    small = routing.agent(capacities={'email': 2})
    tickets = [make.ticket(channel='email') for _ in range(4)]
    owners = [routing.item(t['id']).agent_id for t in tickets]
    # 6-slot agent stays relatively emptier: small gets one (50% left) then big takes the rest
    assert owners.count(small.id) == 1 and owners.count(big.id) == 3


def test_sticky_previous_agent(routing, make, http):
    creds = make.client()
    first = routing.agent()
    second = routing.agent()
    customer = {'name': 'Eve', 'email': 'eve@example.com'}
    t1 = make.ticket(creds, channel='email', customer=customer)
    holder = routing.item(t1['id']).agent_id
    for _ in range(2):
        make.ticket(creds, channel='email')  # load the holder so ratio alone would pick the other
    t2 = make.ticket(creds, channel='email', customer=customer)
    assert routing.item(t2['id']).agent_id == holder
    assert {first.id, second.id} >= {holder}


def test_sticky_window_expires(routing, make, app):
    creds = make.client()
    routing.agent()
    customer = {'name': 'Eve', 'email': 'eve@example.com'}
    t1 = make.ticket(creds, channel='email', customer=customer)
    holder = routing.item(t1['id']).agent_id
    other = routing.agent()
    app.config['SUPPORT_STICKY_WINDOW'] = 60
    try:
        clock.advance(timedelta(seconds=120))
        t2 = make.ticket(creds, channel='email', customer=customer)
        assert routing.item(t2['id']).agent_id == other.id != holder
    finally:
        app.config.pop('SUPPORT_STICKY_WINDOW')


def test_escalation_widens_to_other_products_but_never_to_other_clients(routing, make, http):
    acme = make.client(slug='acme')
    make.client(slug='globex')
    tv = routing.agent()
    routing.supervisor_patch(tv.id, clients=['acme'], products=['tv'])
    outsider = routing.agent()
    routing.supervisor_patch(outsider.id, clients=['globex'])
    # both agents are full on email, so nothing is assigned until we free them
    ticket = make.ticket(acme, channel='chat', product='modem')
    item = routing.item(ticket['id'])
    assert item.state == ItemState.waiting and item.escalation == 0
    clock.advance(timedelta(seconds=301))
    sweep()
    offers = routing.offers(tv)
    assert offers and offers[0]['ticket']['id'] == ticket['id']
    assert routing.item(ticket['id']).escalation == 1
    http.post(f"/api/v1/routing/offers/{offers[0]['id']}/decline", headers=tv.headers)
    clock.advance(timedelta(seconds=301))
    sweep()
    assert routing.item(ticket['id']).escalation == 2
    assert routing.offers(outsider) == []  # the last level alerts supervisors; it never crosses clients
    item = routing.item(ticket['id'])
    assert item.agent_id in (None, tv.id)  # waiting, or offered back to the client's agent after the grace
    assert http.get(f"/api/v1/tickets/{ticket['id']}", headers=outsider.headers).status_code == 404


def test_queue_view_and_unstaffed_language(routing, make, http):
    creds = make.client(slug='acme')
    agent = routing.agent(languages=['en'])
    make.ticket(creds, channel='email', language='es', body='Necesito ayuda con mi factura de este mes.')
    queues = http.get('/api/v1/routing/queues', headers=routing.boss.headers).get_json()
    spanish = [q for q in queues if q['language'] == 'es'][0]
    assert spanish['waiting'] == 1 and spanish['unstaffed'] is True and spanish['client'] == 'acme'
    assert spanish['oldest_wait_seconds'] >= 0 and spanish['threshold_seconds'] == 300
    assert 'email' in spanish['channels'] and spanish['offers_in_flight'] == 0
    clock.advance(timedelta(seconds=42))
    spanish = [q for q in http.get('/api/v1/routing/queues', headers=routing.boss.headers).get_json()
               if q['language'] == 'es'][0]
    assert spanish['oldest_wait_seconds'] >= 42
    mine = http.get('/api/v1/routing/queues', headers=agent.headers).get_json()
    assert all(q['language'] != 'es' for q in mine)
    routing.supervisor_patch(agent.id, languages=['en', 'es'])
    spanish = [q for q in http.get('/api/v1/routing/queues', headers=routing.boss.headers).get_json()
               if q['language'] == 'es'][0]
    assert spanish['unstaffed'] is False and spanish['waiting'] == 0


def test_admin_defines_a_queue_rule(routing, make, http):
    admin = make.agent(role='admin')
    creds = make.client(slug='acme')
    response = http.post('/api/v1/routing/queues', json={'name': 'Acme VIP', 'client': 'acme', 'threshold_seconds': 60},
                         headers=admin.headers)
    assert response.status_code == 201 and response.get_json()['threshold_seconds'] == 60
    ticket = make.ticket(creds, channel='email')
    assert routing.item(ticket['id']).queue_id == response.get_json()['id']
    assert http.post('/api/v1/routing/queues', json={'name': 'x', 'client': 'nope'},
                     headers=admin.headers).status_code == 422
    assert http.post('/api/v1/routing/queues', json={'name': 'Again', 'client': 'acme'},
                     headers=admin.headers).status_code == 409


def test_leaving_cancels_pending_offers(routing, make):
    agent = routing.agent()
    ticket = make.ticket(channel='chat')
    assert routing.offers(agent)
    routing.presence(agent, 'away', 'break')
    assert routing.offers(agent) == [] and routing.item(ticket['id']).state == ItemState.waiting
    assert routing.me(agent)['load']['chat'] == 0
    routing.presence(agent, 'available')
    assert routing.offers(agent)[0]['ticket']['id'] == ticket['id']


def test_customer_switching_language_is_rerouted(routing, make, app):
    from support.tickets.models import Ticket
    from support.tickets.operations import Actor, add_customer_message
    english = routing.agent(languages=['en'])
    spanish = routing.agent(languages=['es'])
    ticket = make.ticket(channel='email')
    assert routing.item(ticket['id']).agent_id == english.id
    row = db.session.get(Ticket, ticket['id'])
    add_customer_message(row, 'Perdón, prefiero hablar en español. El módem sigue sin funcionar.', Actor('customer'))
    db.session.commit()
    operations.run_pending()
    item = routing.item(ticket['id'])
    assert item.language == 'es' and item.agent_id == spanish.id
    assert routing.me(english)['load']['email'] == 0

"""Transfers to an agent or a queue, supervisor reassignment, and who may do what."""
from support.routing.models import ItemState


def test_agent_transfers_own_ticket_to_another_agent(routing, make, http):
    owner = routing.agent()
    colleague = routing.agent(presence='away')
    ticket = make.ticket(channel='email')
    assert routing.item(ticket['id']).agent_id == owner.id
    response = http.post(f"/api/v1/tickets/{ticket['id']}/transfer", json={'agent_id': colleague.id,
                                                                            'note': 'Billing question, yours.'},
                         headers=owner.headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()['assignee_id'] == colleague.id
    assert routing.me(colleague)['load']['email'] == 1
    # the owner wraps up the hand-off (docs/wrapup.md): the unit stays theirs until the wrap-up ends
    mine = routing.me(owner)
    assert mine['load']['email'] == 1 and mine['presence']['activity'] == 'wrap_up'
    [wrapup] = mine['presence']['wrapups']
    http.post(f"/api/v1/routing/wrapups/{wrapup['id']}/end", json={}, headers=owner.headers)
    assert routing.me(owner)['load']['email'] == 0
    detail = http.get(f"/api/v1/tickets/{ticket['id']}", headers=colleague.headers).get_json()
    assert any(m['body'] == 'Billing question, yours.' for m in detail['messages'])


def test_agent_cannot_transfer_someone_elses_ticket(routing, make, http):
    owner = routing.agent()
    other = make.agent()
    ticket = make.ticket(channel='email')
    response = http.post(f"/api/v1/tickets/{ticket['id']}/transfer", json={'agent_id': other.id},
                         headers=other.headers)
    assert response.status_code == 403
    assert routing.item(ticket['id']).agent_id == owner.id


def test_transfer_respects_capacity(routing, make, http):
    owner = routing.agent()
    full = routing.agent(presence=None, capacities={'email': 0})
    ticket = make.ticket(channel='email')
    response = http.post(f"/api/v1/tickets/{ticket['id']}/transfer", json={'agent_id': full.id},
                         headers=owner.headers)
    assert response.status_code == 409 and response.get_json()['error']['code'] == 'no_capacity'
    assert routing.item(ticket['id']).agent_id == owner.id and routing.me(owner)['load']['email'] == 1


def test_transfer_to_a_queue_requeues_and_excludes_the_sender(routing, make, http):
    creds = make.client(slug='acme')
    owner = routing.agent(languages=['en', 'es'])
    ticket = make.ticket(creds, channel='email')
    admin = make.agent(role='admin')
    queue = http.post('/api/v1/routing/queues', json={'name': 'Acme Spanish', 'client': 'acme', 'language': 'es'},
                      headers=admin.headers).get_json()
    response = http.post(f"/api/v1/tickets/{ticket['id']}/transfer", json={'queue_id': queue['id']},
                         headers=owner.headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body['assignee_id'] is None and body['language'] == 'es'
    item = routing.item(ticket['id'])
    assert item.state == ItemState.waiting and item.queue_id == queue['id']
    assert owner.id in {agent_id for agent_id, _until in item.excluded}
    spanish = routing.agent(languages=['es'])
    assert routing.item(ticket['id']).agent_id == spanish.id


def test_transfer_validation(routing, make, http):
    owner = routing.agent()
    ticket = make.ticket(channel='email')
    url = f"/api/v1/tickets/{ticket['id']}/transfer"
    for body in ({}, {'agent_id': 1, 'queue_id': 1}, {'agent_id': 'x'}, {'queue_id': 999}, {'agent_id': 999}):
        response = http.post(url, json=body, headers=owner.headers)
        assert response.status_code == 422, (body, response.get_json())
    assert http.post('/api/v1/tickets/999/transfer', json={'agent_id': owner.id},
                     headers=owner.headers).status_code == 404


def test_supervisor_reassigns(routing, make, http):
    owner = routing.agent()
    other = routing.agent(presence='offline')
    ticket = make.ticket(channel='email')
    url = f"/api/v1/tickets/{ticket['id']}/reassign"
    assert http.post(url, json={'agent_id': other.id}, headers=owner.headers).status_code == 403
    response = http.post(url, json={'agent_id': other.id}, headers=routing.boss.headers)
    assert response.status_code == 200 and response.get_json()['assignee_id'] == other.id
    assert routing.me(owner)['load']['email'] == 0 and routing.me(other)['load']['email'] == 1
    assert http.post(url, json={'agent_id': other.id}, headers=routing.boss.headers).status_code == 200


def test_reassigning_an_offered_ticket_cancels_the_offer(routing, make, http):
    offered = routing.agent()
    target = routing.agent(presence='away')
    ticket = make.ticket(channel='chat')
    assert routing.offers(offered)
    response = http.post(f"/api/v1/tickets/{ticket['id']}/reassign", json={'agent_id': target.id},
                         headers=routing.boss.headers)
    assert response.status_code == 200
    assert routing.offers(offered) == [] and routing.me(offered)['load']['chat'] == 0
    assert [o.status.value for o in routing.offer_rows(ticket['id'])] == ['cancelled']


def test_ids_beyond_32_bits_are_404_or_422(routing, make, http):
    owner = routing.agent()
    huge = 2 ** 40
    assert http.post(f'/api/v1/tickets/{huge}/transfer', json={'agent_id': owner.id},
                     headers=owner.headers).status_code == 404
    assert http.post(f'/api/v1/tickets/{huge}/reassign', json={'agent_id': owner.id},
                     headers=routing.boss.headers).status_code == 404
    assert http.post(f'/api/v1/routing/offers/{huge}/accept', headers=owner.headers).status_code == 404
    assert http.patch(f'/api/v1/routing/agents/{huge}', json={}, headers=routing.boss.headers).status_code == 404
    ticket = make.ticket(channel='email')
    response = http.post(f"/api/v1/tickets/{ticket['id']}/transfer", json={'agent_id': huge}, headers=owner.headers)
    assert response.status_code == 422

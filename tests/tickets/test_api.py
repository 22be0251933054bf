"""Agents working tickets through the REST API."""
import pytest

from support.core.extensions import db
from support.tickets.models import Ticket
from support.tickets.operations import Actor, add_customer_message


@pytest.fixture
def agent(make):
    return make.agent(languages=['en', 'es'])


def test_ticket_detail_has_messages_and_history(make, http, agent):
    ticket = make.ticket()
    detail = http.get(f'/api/v1/tickets/{ticket["id"]}', headers=agent.headers).get_json()
    assert detail['messages'][0]['kind'] == 'inbound'
    assert detail['messages'][0]['author']['type'] == 'customer'
    assert detail['events'][0]['kind'] == 'created'
    assert detail['events'][0]['actor']['type'] == 'client'


def test_full_lifecycle_with_history(make, http, agent):
    ticket_id = make.ticket()['id']
    path = f'/api/v1/tickets/{ticket_id}'
    reply = http.post(f'{path}/messages', json={'body': 'Please restart the modem.'}, headers=agent.headers)
    assert reply.status_code == 201 and reply.get_json()['kind'] == 'outbound'
    assert http.get(path, headers=agent.headers).get_json()['status'] == 'open'
    note = http.post(f'{path}/messages', json={'kind': 'note', 'body': 'Customer sounded upset'},
                     headers=agent.headers)
    assert note.get_json()['kind'] == 'note'
    for status in ('pending', 'open', 'resolved', 'closed'):
        response = http.patch(path, json={'status': status}, headers=agent.headers)
        assert response.status_code == 200, response.get_json()
    detail = http.get(path, headers=agent.headers).get_json()
    changes = [(e['before']['status'], e['after']['status']) for e in detail['events'] if e['kind'] == 'status_changed']
    assert changes == [('new', 'open'), ('open', 'pending'), ('pending', 'open'), ('open', 'resolved'),
                       ('resolved', 'closed')]
    assert detail['closed_at'] is not None
    assert all(e['actor']['id'] == agent.id for e in detail['events'] if e['kind'] == 'status_changed')


def test_illegal_transition_is_409_in_spanish(make, http, agent):
    ticket_id = make.ticket()['id']
    response = http.patch(f'/api/v1/tickets/{ticket_id}', json={'status': 'closed'},
                          headers={**agent.headers, 'Accept-Language': 'es'})
    assert response.status_code == 409
    assert response.get_json()['error']['message'] == \
        'Un ticket no puede pasar de "Nuevo" a "Cerrado". Siguientes permitidos: Abierto.'
    assert db.session.get(Ticket, ticket_id).status.value == 'new'


def test_customer_reply_reopens_a_resolved_ticket(make, http, agent):
    ticket_id = make.ticket()['id']
    path = f'/api/v1/tickets/{ticket_id}'
    http.patch(path, json={'status': 'open'}, headers=agent.headers)
    http.patch(path, json={'status': 'resolved'}, headers=agent.headers)
    ticket = db.session.get(Ticket, ticket_id)
    add_customer_message(ticket, 'It broke again', Actor('customer', ticket.customer_id, None))
    db.session.commit()
    detail = http.get(path, headers=agent.headers).get_json()
    assert detail['status'] == 'open' and detail['resolved_at'] is None
    assert detail['events'][-1]['actor']['type'] == 'customer'


def test_priority_tags_and_product_changes_are_recorded(make, http, agent):
    ticket_id = make.ticket()['id']
    response = http.patch(f'/api/v1/tickets/{ticket_id}', json={'priority': 'urgent', 'tags': ['VIP', 'outage'],
                                                               'product': 'router'}, headers=agent.headers)
    assert response.status_code == 200
    body = response.get_json()
    assert (body['priority'], body['tags'], body['product']) == ('urgent', ['vip', 'outage'], 'router')
    kinds = {e['kind'] for e in body['events']}
    assert {'priority_changed', 'tags_changed', 'product_changed'} <= kinds


def test_empty_or_bad_patch_is_422(make, http, agent):
    ticket_id = make.ticket()['id']
    assert http.patch(f'/api/v1/tickets/{ticket_id}', json={}, headers=agent.headers).status_code == 422
    response = http.patch(f'/api/v1/tickets/{ticket_id}', json={'status': 'bogus'}, headers=agent.headers)
    assert response.status_code == 422 and 'status' in response.get_json()['error']['fields']


def test_missing_ticket_is_404(http, agent):
    response = http.get('/api/v1/tickets/999999', headers=agent.headers)
    assert response.status_code == 404 and response.get_json()['error']['code'] == 'not_found'
    assert http.get('/api/v1/tickets/99999999999999999999', headers=agent.headers).status_code == 404
    huge = http.patch('/api/v1/tickets/99999999999999999999', json={'priority': 'low'}, headers=agent.headers)
    assert 400 <= huge.status_code < 500  # werkzeug answers 405 when an out-of-range id meets two rules


class TestListing:
    def test_filters(self, make, http, agent):
        a, b = make.client(), make.client()
        make.ticket(a, channel='chat', priority='high', subject='Sin internet',
                    body='Mi módem no tiene señal desde ayer')
        make.ticket(a, channel='email', subject='Billing question', body='I was charged twice this month')
        make.ticket(b, channel='phone', priority='urgent', subject='Laptop broken',
                    body='The laptop does not turn on', customer={'name': 'Zed Quux', 'phone': '+1 555 0100'})

        def ids(**params):
            response = http.get('/api/v1/tickets', query_string=params, headers=agent.headers)
            assert response.status_code == 200, response.get_json()
            return [t['subject'] for t in response.get_json()['items']]

        assert ids(client=a.slug) == ['Billing question', 'Sin internet']
        assert ids(channel=['chat', 'phone']) == ['Laptop broken', 'Sin internet']
        assert ids(language='es') == ['Sin internet']
        assert ids(priority='urgent') == ['Laptop broken']
        assert ids(status='new', assignee='none') == ['Laptop broken', 'Billing question', 'Sin internet']
        assert ids(assignee='me') == []
        assert ids(q='charged twice') == ['Billing question']
        assert ids(q='zed quux') == ['Laptop broken']
        assert ids(q='100%_') == []

    def test_cursor_pagination_walks_every_ticket_once(self, make, http, agent):
        creds = make.client()
        created = [make.ticket(creds, subject=f'Ticket {i}')['id'] for i in range(7)]
        seen, cursor = [], None
        while True:
            params = {'limit': 3, **({'cursor': cursor} if cursor else {})}
            page = http.get('/api/v1/tickets', query_string=params, headers=agent.headers).get_json()
            seen += [t['id'] for t in page['items']]
            cursor = page['next_cursor']
            if cursor is None:
                break
        assert seen == sorted(created, reverse=True)

    def test_bad_query_parameters(self, http, agent):
        for params in ({'limit': 0}, {'limit': 500}, {'status': 'nope'}, {'cursor': '!!!'}, {'assignee': 'x'}):
            response = http.get('/api/v1/tickets', query_string=params, headers=agent.headers)
            assert response.status_code == 422, params

    def test_agents_only_see_the_clients_they_serve(self, make, http):
        a, b = make.client(), make.client()
        make.ticket(a, subject='For A')
        other = make.ticket(b, subject='For B')
        serving_a = make.agent(clients=[a.slug])
        listed = http.get('/api/v1/tickets', headers=serving_a.headers).get_json()['items']
        assert [t['subject'] for t in listed] == ['For A']
        assert http.get(f'/api/v1/tickets/{other["id"]}', headers=serving_a.headers).status_code == 404
        supervisor = make.agent(role='supervisor')
        assert len(http.get('/api/v1/tickets', headers=supervisor.headers).get_json()['items']) == 2


def test_tag_autocompletion_ranks_the_clients_tags(make, http, agent):
    acme, other = make.client(), make.client()
    make.ticket(acme, tags=['modem', 'wifi'])
    make.ticket(acme, tags=['Modem', 'mobile'])
    make.ticket(other, tags=['modem-x'])
    found = http.get(f'/api/v1/tickets/tags?client={acme.slug}&prefix=mo', headers=agent.headers).get_json()
    assert found == [{'tag': 'modem', 'count': 2}, {'tag': 'mobile', 'count': 1}]
    assert http.get('/api/v1/tickets/tags', headers=agent.headers).status_code == 422

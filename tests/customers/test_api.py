"""Customers through the HTTP API: search, identities, the story across channels, duplicates, merge."""
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from support.audit.models import AuditEntry
from support.channels.models import Call, CallStatus
from support.core import clock
from support.core.extensions import db
from support.routing.operations import previous_agent
from support.lab.models import Checkout, Condition, EquipmentModel, Unit
from support.sites.operations import get_or_create_site
from support.tickets.models import Customer, CustomerIdentity, Ticket


@pytest.fixture
def agent(make):
    return make.agent(languages=['en', 'es'])


@pytest.fixture
def creds(make):
    return make.client(slug='cablenet')


def _get(http, agent, url, expect=200, **params):
    response = http.get(url, query_string=params, headers=agent.headers)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def _customer_of(ticket):
    return ticket['customer']['id']


def test_search_by_name_email_phone_and_handle(make, http, agent, creds):
    ana = make.ticket(creds, customer={'name': 'Ana Núñez', 'email': 'Ana.Nunez@example.com',
                                       'phone': '+52 (55) 1234-5678'})
    leo = make.ticket(creds, customer={'name': 'Leo Díaz', 'handle': '@leodiaz'})
    make.ticket(creds, customer={'name': 'Someone Else', 'email': 'else@example.com'})
    for q in ('nunez', 'Ana', 'núñ', 'ana.nunez@example.com', '5255 1234 5678', '+525512345678'):
        assert [c['id'] for c in _get(http, agent, '/api/v1/customers', q=q)['items']] == [_customer_of(ana)], q
    assert [c['id'] for c in _get(http, agent, '/api/v1/customers', q='@leodiaz')['items']] == [_customer_of(leo)]
    assert [c['id'] for c in _get(http, agent, '/api/v1/customers', q='leodiaz')['items']] == [_customer_of(leo)]
    assert len(_get(http, agent, '/api/v1/customers')['items']) == 3
    page = _get(http, agent, '/api/v1/customers', limit=2)
    rest = _get(http, agent, '/api/v1/customers', limit=2, cursor=page['next_cursor'])
    assert len({c['id'] for c in page['items'] + rest['items']}) == 3 and rest['next_cursor'] is None
    assert 'cursor' in _get(http, agent, '/api/v1/customers', 422, cursor='forged')['error']['fields']


def test_one_customer_with_identities_and_only_for_those_who_may_see(make, http, agent, creds):
    ticket = make.ticket(creds, customer={'name': 'Ana', 'email': 'ana@example.com', 'phone': '555 0101'})
    customer = _get(http, agent, f'/api/v1/customers/{_customer_of(ticket)}')
    assert customer['client'] == 'cablenet' and customer['tickets'] == 1
    assert sorted((i['kind'], i['value']) for i in customer['identities']) == [
        ('email', 'ana@example.com'), ('phone', '+5550101')]
    make.client(slug='other')
    outsider = make.agent(clients=['other'])
    _get(http, outsider, f'/api/v1/customers/{_customer_of(ticket)}', 404)
    assert _get(http, outsider, '/api/v1/customers', q='ana')['items'] == []


def _lab_checkout(ticket_id, agent_id, at):
    site = get_or_create_site('Lab site')
    model = EquipmentModel(maker='Arris', name='SB8200')
    db.session.add(model)
    db.session.flush()
    unit = Unit(asset_tag=f'LAB-{ticket_id}', model_id=model.id, site_id=site.id)
    db.session.add(unit)
    db.session.flush()
    checkout = Checkout(unit_id=unit.id, agent_id=agent_id, ticket_id=ticket_id, checked_out_at=at,
                        due_at=at + timedelta(hours=2), condition_out=Condition.good)
    db.session.add(checkout)
    db.session.commit()
    return checkout.id


def _call(client_id, ticket_id, at):
    call = Call(client_id=client_id, call_id=f'CA{ticket_id}', ticket_id=ticket_id, from_number='+5550101',
                status=CallStatus.ended, ringing_at=at, ended_at=at + timedelta(minutes=4), duration_seconds=240,
                agent_name='Eva')
    db.session.add(call)
    db.session.commit()
    return call.id


def test_timeline_across_channels_newest_first(make, http, agent, creds):
    contact = {'name': 'Ana', 'email': 'ana@example.com', 'phone': '555 0101'}
    email = make.ticket(creds, subject='Factura', channel='email', customer=contact, language='es')
    clock.advance(timedelta(days=2))
    call_ticket = make.ticket(creds, subject='Llamada', channel='phone', customer=contact, language='es')
    call_id = _call(creds.id, call_ticket['id'], clock.utcnow())
    clock.advance(timedelta(minutes=5))
    checkout_id = _lab_checkout(call_ticket['id'], agent.id, clock.utcnow())
    clock.advance(timedelta(minutes=5))
    http.post(f'/api/v1/tickets/{call_ticket["id"]}/messages', json={'kind': 'reply', 'body': 'Le enviamos un módem.'},
              headers=agent.headers)
    make.ticket(creds, subject='Not hers', customer={'name': 'Leo', 'email': 'leo@example.com'})
    story = _get(http, agent, f'/api/v1/customers/{_customer_of(email)}/timeline')
    kinds = [(entry['kind'], entry['ticket']['id']) for entry in story['items']]
    assert kinds == [('message', call_ticket['id']), ('lab_checkout', call_ticket['id']),
                     ('call', call_ticket['id']), ('ticket', call_ticket['id']), ('message', call_ticket['id']),
                     ('ticket', email['id']), ('message', email['id'])]
    reply, checkout, call = story['items'][:3]
    assert reply['message']['kind'] == 'outbound' and reply['message']['excerpt'] == 'Le enviamos un módem.'
    assert checkout['id'] == checkout_id and checkout['lab_checkout']['model'] == 'Arris SB8200'
    assert call['id'] == call_id and call['call']['duration_seconds'] == 240
    assert story['items'][-2]['ticket']['subject'] == 'Factura'
    pages, cursor = [], None
    while True:
        page = _get(http, agent, f'/api/v1/customers/{_customer_of(email)}/timeline', limit=3,
                    **({'cursor': cursor} if cursor else {}))
        pages += [(entry['kind'], entry['id']) for entry in page['items']]
        cursor = page['next_cursor']
        if not cursor:
            break
    assert pages == [(entry['kind'], entry['id']) for entry in story['items']]


def _split_customer(make, creds):
    """Two customers of one client who are one person: the second came by phone only, then wrote with both."""
    first = make.ticket(creds, customer={'name': 'Ana', 'email': 'ana@example.com'}, channel='email')
    second = make.ticket(creds, customer={'phone': '555 0101'}, channel='sms', subject='SMS', body='Hola')
    third = make.ticket(creds, customer={'email': 'ana@example.com', 'phone': '555 0101'})
    assert _customer_of(third) == _customer_of(first) != _customer_of(second)
    return first, second


def test_duplicates_share_an_email_or_phone(make, http, agent, creds):
    first, second = _split_customer(make, creds)
    found = _get(http, agent, f'/api/v1/customers/{_customer_of(first)}/duplicates')
    assert [(d['customer']['id'], d['reasons']) for d in found] == [
        (_customer_of(second), [{'kind': 'phone', 'value': '+5550101'}])]
    assert [d['customer']['id'] for d in _get(http, agent, f'/api/v1/customers/{_customer_of(second)}/duplicates')
            ] == [_customer_of(first)]


def test_merge_moves_identities_tickets_and_history_and_is_logged(make, http, agent, creds):
    first, second = _split_customer(make, creds)
    kept, merged = _customer_of(first), _customer_of(second)
    response = http.post(f'/api/v1/customers/{kept}/merge', json={'customer_id': merged}, headers=agent.headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body['tickets'] == [second['id']] and body['merged_customer_id'] == merged
    assert body['customer']['tickets'] == 3 and body['customer']['phone'] == '555 0101'
    assert sorted(i['kind'] for i in body['customer']['identities']) == ['email', 'phone']
    _get(http, agent, f'/api/v1/customers/{merged}', 404)
    moved = _get(http, agent, f'/api/v1/tickets/{second["id"]}')
    assert moved['customer']['id'] == kept
    [event] = [e for e in moved['events'] if e['kind'] == 'customer_merged']
    assert event['before'] == {'customer_id': merged} and event['after'] == {'customer_id': kept}
    assert event['actor']['id'] == agent.id
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == 'customer.merged'))
    assert entry.actor_id == agent.id and entry.target_id == str(kept) and entry.created_at is not None
    story = _get(http, agent, f'/api/v1/customers/{kept}/timeline')
    assert {e['ticket']['id'] for e in story['items']} == {first['id'], second['id'], body['tickets'][0],
                                                           story['items'][0]['ticket']['id']}
    assert _get(http, agent, '/api/v1/customers', q='+5550101')['items'][0]['id'] == kept
    again = make.ticket(creds, customer={'phone': '555-0101'}, channel='sms', subject='Otra vez')
    assert _customer_of(again) == kept  # the next message by phone finds the kept customer


def test_sticky_routing_follows_the_merge(make, http, agent, creds):
    first, second = _split_customer(make, creds)
    db.session.get(Ticket, second['id']).assignee_id = agent.id  # the agent who handled the phone customer
    db.session.commit()
    kept = SimpleNamespace(customer_id=_customer_of(first))
    assert previous_agent(kept) is None
    http.post(f'/api/v1/customers/{kept.customer_id}/merge', json={'customer_id': _customer_of(second)},
              headers=agent.headers)
    assert previous_agent(kept) == agent.id  # routing offers the kept customer's next ticket to that agent first


def test_merge_refuses_other_clients_and_itself_in_both_languages(make, http, agent, creds):
    ours = make.ticket(creds, customer={'name': 'Ana', 'email': 'ana@example.com'})
    theirs = make.ticket(make.client(slug='phoneco'), customer={'name': 'Ana', 'email': 'ana@example.com'})
    for language, message in (('en', 'Only customers of the same client can be merged.'),
                              ('es', 'Solo se pueden fusionar clientes del mismo cliente empresarial.')):
        response = http.post(f'/api/v1/customers/{_customer_of(ours)}/merge',
                             json={'customer_id': _customer_of(theirs)},
                             headers={**agent.headers, 'Accept-Language': language})
        assert response.status_code == 422 and response.get_json()['error']['fields']['customer_id'] == [message]
    response = http.post(f'/api/v1/customers/{_customer_of(ours)}/merge', json={'customer_id': _customer_of(ours)},
                         headers=agent.headers)
    assert response.status_code == 422
    assert db.session.get(Customer, _customer_of(theirs)) is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CustomerIdentity)) == 2

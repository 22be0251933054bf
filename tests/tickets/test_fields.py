"""Custom ticket fields: definitions per client, values from intake and agents, checks, filter, search, events."""
import json

import pytest

from support.core.extensions import db
from support.tickets.models import Ticket
from support.tickets.operations import Actor, set_fields

from ..servers import EventLog, ThreadServer

ES = {'Accept-Language': 'es'}
PLAN = {'name': 'plan', 'type': 'select', 'label_en': 'Plan', 'label_es': 'Plan contratado', 'position': 2,
        'options': [{'value': 'fiber', 'label_en': 'Fiber', 'label_es': 'Fibra'},
                    {'value': 'dsl', 'label_en': 'DSL', 'label_es': 'DSL'}]}
FIELDS = [
    {'name': 'account_number', 'type': 'text', 'label_en': 'Account number', 'label_es': 'Número de cuenta',
     'required': 'on_create', 'position': 1},
    PLAN,
    {'name': 'speed', 'type': 'number', 'label_en': 'Speed (Mbps)', 'label_es': 'Velocidad (Mbps)', 'position': 3},
    {'name': 'installed_on', 'type': 'date', 'label_en': 'Installed on', 'label_es': 'Instalado el', 'position': 4},
    {'name': 'verified', 'type': 'checkbox', 'label_en': 'Identity verified', 'label_es': 'Identidad verificada',
     'required': 'before_resolve', 'position': 5},
]


@pytest.fixture
def admin(make):
    return make.agent(role='admin', languages=['en', 'es'])


@pytest.fixture
def agent(make):
    return make.agent(languages=['en', 'es'])


@pytest.fixture
def client(make, http, admin):
    creds = make.client()
    for definition in FIELDS:
        response = http.post(f'/api/v1/clients/{creds.slug}/fields', json=definition, headers=admin.headers)
        assert response.status_code == 201, response.get_json()
    return creds


def _open(make, creds, **fields):
    return make.ticket(creds, fields={'account_number': 'A-1042', **fields})


def _field_errors(response):
    assert response.status_code == 422, response.get_json()
    return response.get_json()['error']['fields']['fields']


# --- definitions ------------------------------------------------------------------------------

def test_admin_defines_fields_and_agents_read_them_in_their_language(http, client, admin, agent):
    path = f'/api/v1/clients/{client.slug}/fields'
    english = http.get(path, headers=agent.headers).get_json()
    assert [f['name'] for f in english] == ['account_number', 'plan', 'speed', 'installed_on', 'verified']
    assert english[1]['options'][0] == {'value': 'fiber', 'label_en': 'Fiber', 'label_es': 'Fibra', 'label': 'Fiber'}
    spanish = http.get(path, headers={**agent.headers, **ES}).get_json()
    assert spanish[0]['label'] == 'Número de cuenta' and spanish[1]['options'][0]['label'] == 'Fibra'
    assert spanish[4]['required'] == 'before_resolve'

    refused = http.post(path, json={**PLAN, 'name': 'other'}, headers=agent.headers)
    assert refused.status_code == 403
    taken = http.post(path, json=PLAN, headers=admin.headers)
    assert taken.status_code == 409 and taken.get_json()['error']['fields'] == {'name': ['Already taken.']}


def test_bad_definitions_are_422_per_field(http, make, admin):
    path = f'/api/v1/clients/{make.client().slug}/fields'
    cases = [
        ({**PLAN, 'options': []}, 'options'),
        ({**PLAN, 'options': PLAN['options'] + PLAN['options'][:1]}, 'options'),
        ({**PLAN, 'type': 'text'}, 'options'),
        ({**PLAN, 'name': 'Plan Name'}, 'name'),
        ({**PLAN, 'type': 'colour'}, 'type'),
        ({**PLAN, 'required': 'always'}, 'required'),
    ]
    for body, field in cases:
        response = http.post(path, json=body, headers={**admin.headers, **ES})
        assert response.status_code == 422, body
        assert field in response.get_json()['error']['fields'], response.get_json()


def test_update_deactivate_and_delete_a_definition(http, make, client, admin, agent):
    path = f'/api/v1/clients/{client.slug}/fields'
    plan = next(f for f in http.get(path, headers=admin.headers).get_json() if f['name'] == 'plan')
    ticket = _open(make, client, plan='dsl')
    kept = http.patch(f'{path}/{plan["id"]}', json={'options': PLAN['options'][:1]}, headers=admin.headers)
    assert kept.status_code == 409 and kept.get_json()['error']['code'] == 'option_in_use'
    more = PLAN['options'] + [{'value': 'cable', 'label_en': 'Cable', 'label_es': 'Cable'}]
    changed = http.patch(f'{path}/{plan["id"]}', json={'options': more, 'label_es': 'Plan'}, headers=admin.headers)
    assert changed.status_code == 200 and [o['value'] for o in changed.get_json()['options']] == [
        'fiber', 'dsl', 'cable']
    assert http.delete(f'{path}/{plan["id"]}', headers=admin.headers).status_code == 409
    assert http.patch(f'{path}/{plan["id"]}', json={'active': False}, headers=admin.headers).status_code == 200
    assert 'plan' not in [f['name'] for f in http.get(path, headers=agent.headers).get_json()]
    assert 'plan' in [f['name'] for f in http.get(path, query_string={'all': 'true'}, headers=admin.headers).get_json()]
    detail = http.get(f'/api/v1/tickets/{ticket["id"]}', headers=agent.headers).get_json()
    assert detail['fields']['plan'] == 'dsl'  # a deactivated field's value is still shown
    refused = http.patch(f'/api/v1/tickets/{ticket["id"]}', json={'fields': {'plan': 'fiber'}}, headers=agent.headers)
    assert _field_errors(refused) == {'plan': ['Unknown field.']}

    speed = next(f for f in http.get(path, headers=admin.headers).get_json() if f['name'] == 'speed')
    assert http.delete(f'{path}/{speed["id"]}', headers=admin.headers).status_code == 204


# --- values from intake --------------------------------------------------------------------------

def test_intake_sets_fields_and_gets_them_typed(make, client):
    ticket = _open(make, client, plan='fiber', speed='300.50', installed_on='2026-11-02', verified=True)
    assert ticket['fields'] == {'account_number': 'A-1042', 'plan': 'fiber', 'speed': 300.5,
                                'installed_on': '2026-11-02', 'verified': True}


def test_intake_refuses_missing_unknown_and_wrong_fields_in_english_and_spanish(make, client):
    missing = make.post_ticket(client, fields={'plan': 'fiber'})
    assert _field_errors(missing) == {'account_number': ['Required when a ticket is opened.']}
    missing_es = make.post_ticket(client, headers=ES)
    assert _field_errors(missing_es) == {'account_number': ['Obligatorio al abrir un ticket.']}
    wrong = make.post_ticket(client, headers=ES, fields={
        'account_number': 'A-1', 'modem_mac': 'x', 'plan': 'satellite', 'speed': 'fast', 'installed_on': '2026-13-45',
        'verified': 'maybe'})
    errors = _field_errors(wrong)
    assert errors['modem_mac'] == ['Campo desconocido.']
    assert errors['plan'] == ['No es una de las opciones de este campo: fiber, dsl.']
    assert set(errors) == {'modem_mac', 'plan', 'speed', 'installed_on', 'verified'}
    english = _field_errors(make.post_ticket(client, fields={'account_number': 'A-1', 'plan': 'satellite'}))
    assert english == {'plan': ['Not one of the options of this field: fiber, dsl.']}
    assert db.session.query(Ticket).filter_by(client_id=client.id).count() == 0


def test_a_client_without_fields_opens_tickets_as_before(make):
    ticket = make.ticket()
    assert ticket['fields'] == {}
    unknown = make.post_ticket(make.client(), fields={'account_number': 'A-1'})
    assert _field_errors(unknown) == {'account_number': ['Unknown field.']}


def test_a_chat_and_a_call_open_tickets_with_the_fields_they_carry(http, make, client, agent):
    from ..channels.test_chat import post_chat
    from ..channels.test_phone import post_event
    chat = post_chat(http, client, fields={'plan': 'fiber'})
    assert chat.status_code == 201, chat.get_json()  # a channel need not give the fields required on create
    later = post_chat(http, client, text='Sigo esperando', fields={'plan': 'dsl'})
    assert later.get_json()['ticket'] == chat.get_json()['ticket']
    detail = http.get(f'/api/v1/tickets/{chat.get_json()["ticket"]}', headers=agent.headers).get_json()
    assert detail['fields']['plan'] == 'fiber' and detail['fields']['account_number'] is None
    wrong = post_chat(http, client, conversation_id='conv-9', fields={'plan': 'satellite'})
    assert _field_errors(wrong) == {'plan': ['Not one of the options of this field: fiber, dsl.']}

    call = post_event(http, client, 'ringing', fields={'account_number': 'A-77', 'verified': True})
    assert call.status_code == 201, call.get_json()
    detail = http.get(f'/api/v1/tickets/{call.get_json()["call"]["ticket"]}', headers=agent.headers).get_json()
    assert detail['fields']['account_number'] == 'A-77' and detail['fields']['verified'] is True


# --- values from agents --------------------------------------------------------------------------

def test_agent_changes_fields_recorded_in_history(http, make, client, agent):
    ticket = _open(make, client)
    path = f'/api/v1/tickets/{ticket["id"]}'
    changed = http.patch(path, json={'fields': {'plan': 'dsl', 'speed': 12.50, 'account_number': 'A-1042'}},
                         headers=agent.headers)
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()['fields'] == {'account_number': 'A-1042', 'plan': 'dsl', 'speed': 12.5,
                                            'installed_on': None, 'verified': None}
    cleared = http.patch(path, json={'fields': {'speed': None, 'plan': 'fiber'}}, headers=agent.headers)
    assert cleared.get_json()['fields']['speed'] is None
    history = [e for e in http.get(f'{path}/events', headers=agent.headers).get_json()['items']
               if e['kind'] == 'fields_changed']
    assert [(e['before']['fields'], e['after']['fields']) for e in history] == [
        ({'plan': None, 'speed': None}, {'plan': 'dsl', 'speed': 12.5}),
        ({'speed': 12.5, 'plan': 'dsl'}, {'speed': None, 'plan': 'fiber'})]
    assert history[0]['actor'] == {'type': 'agent', 'id': agent.id, 'name': history[0]['actor']['name']}
    created = http.get(f'{path}/events', headers=agent.headers).get_json()['items'][0]
    assert created['after']['fields'] == {'account_number': 'A-1042'}

    refused = http.patch(path, json={'fields': {'account_number': None}}, headers={**agent.headers, **ES})
    assert _field_errors(refused) == {'account_number': ['Este campo es obligatorio.']}
    nested = http.patch(path, json={'fields': {'speed': {'$gt': 1}, 'installed_on': 20261102}}, headers=agent.headers)
    assert set(_field_errors(nested)) == {'speed', 'installed_on'}
    assert http.patch(path, json={'fields': 'plan=dsl'}, headers=agent.headers).status_code == 422


def test_a_required_field_blocks_resolve_until_it_is_filled(http, make, client, agent):
    ticket = _open(make, client)
    path = f'/api/v1/tickets/{ticket["id"]}'
    http.patch(path, json={'status': 'open'}, headers=agent.headers)
    blocked = http.patch(path, json={'status': 'resolved'}, headers={**agent.headers, **ES})
    assert blocked.status_code == 422
    assert blocked.get_json()['error']['message'] == 'Complete los campos obligatorios antes de resolver este ticket.'
    assert _field_errors(blocked) == {'verified': ['Obligatorio antes de resolver este ticket.']}
    unticked = http.patch(path, json={'status': 'resolved', 'fields': {'verified': False}}, headers=agent.headers)
    assert _field_errors(unticked) == {'verified': ['Required before resolving this ticket.']}
    assert db.session.get(Ticket, ticket['id']).status.value == 'open'
    resolved = http.patch(path, json={'status': 'resolved', 'fields': {'verified': True}}, headers=agent.headers)
    assert resolved.status_code == 200 and resolved.get_json()['status'] == 'resolved'


def test_set_fields_is_the_operation_macros_call(make, client, agent):
    ticket_id = _open(make, client)['id']
    ticket = db.session.get(Ticket, ticket_id)
    changes = set_fields(ticket, {'plan': 'fiber', 'verified': True}, Actor('agent', agent.id, 'Macro'))
    db.session.commit()
    assert changes == {'plan': (None, 'fiber'), 'verified': (None, True)}
    assert set_fields(ticket, {'plan': 'fiber'}, Actor('agent', agent.id, 'Macro')) == {}


# --- list, search, live and callbacks ---------------------------------------------------------------

def test_list_filters_by_field_values(http, make, client, agent):
    first = _open(make, client, plan='fiber', speed='100', verified=True)
    second = _open(make, client, account_number='B-7', plan='dsl', speed=100.0)
    make.ticket(make.client())

    def ids(**query):
        response = http.get('/api/v1/tickets', query_string=query, headers=agent.headers)
        assert response.status_code == 200, response.get_json()
        return [t['id'] for t in response.get_json()['items']]
    assert ids(**{'field.account_number': 'B-7'}) == [second['id']]
    assert ids(**{'field.plan': 'fiber', 'client': client.slug}) == [first['id']]
    assert ids(**{'field.speed': '100.00'}) == [second['id'], first['id']]
    assert ids(**{'field.verified': 'true', 'field.speed': '100'}) == [first['id']]
    unknown = http.get('/api/v1/tickets', query_string={'field.modem_mac': 'x', 'field.plan': 'cable'},
                       headers={**agent.headers, **ES})
    assert unknown.status_code == 422
    assert unknown.get_json()['error']['fields'] == {'field.modem_mac': ['Campo desconocido.'],
                                                     'field.plan': ['No es un valor válido de este campo.']}


def test_text_field_values_are_searched(http, make, client, agent):
    ticket = _open(make, client, account_number='Módem ZX-9000 cuenta')
    response = http.get('/api/v1/search', query_string={'q': 'modem zx-9000'}, headers=agent.headers)
    assert response.status_code == 200, response.get_json()
    hit = next(item for item in response.get_json()['items'] if item['ticket']['id'] == ticket['id'])
    match = next(m for m in hit['matches'] if m['field'] == 'field')
    assert match['field_name'] == 'account_number' and match['text'] == 'Módem ZX-9000 cuenta'
    listed = http.get('/api/v1/tickets', query_string={'q': 'zx-9000'}, headers=agent.headers).get_json()
    assert [t['id'] for t in listed['items']] == [ticket['id']]


def test_field_changes_reach_supervisors_live(app, make, client, http, agent):
    boss = make.agent(role='supervisor')
    ticket = _open(make, client)
    with ThreadServer(app) as server:
        log = EventLog(server.url, boss.token).connect()
        try:
            log.wait_for('queue.snapshot')
            http.patch(f'/api/v1/tickets/{ticket["id"]}', json={'fields': {'plan': 'dsl'}}, headers=agent.headers)
            updated = log.wait_for('ticket.updated', where=lambda d: 'fields' in d.get('changes', {}))
            assert updated['id'] == ticket['id']
            assert updated['changes']['fields'] == {'before': {'plan': None}, 'after': {'plan': 'dsl'}}
        finally:
            log.close()


def test_callbacks_carry_the_fields(http, make, client, admin):
    subscribed = http.post(f'/api/v1/clients/{client.slug}/webhooks', headers=admin.headers, json={
        'url': 'https://hooks.example.com/support', 'events': ['ticket.created', 'ticket.fields_changed']})
    assert subscribed.status_code == 201, subscribed.get_json()
    ticket = _open(make, client, plan='fiber')
    http.patch(f'/api/v1/tickets/{ticket["id"]}', json={'fields': {'speed': 50}}, headers=admin.headers)
    deliveries = http.get(f'/api/v1/clients/{client.slug}/webhooks/deliveries', headers=admin.headers).get_json()
    payloads = {}
    for item in deliveries['items']:
        detail = http.get(f'/api/v1/clients/{client.slug}/webhooks/deliveries/{item["id"]}',
                          headers=admin.headers).get_json()
        payloads[detail['payload']['type']] = detail['payload']['data']
    assert payloads['ticket.created']['ticket']['fields']['plan'] == 'fiber'
    changed = payloads['ticket.fields_changed']
    assert changed['ticket']['fields']['speed'] == 50
    assert changed['changes'] == {'fields': {'before': {'speed': None}, 'after': {'speed': 50}}}
    assert json.dumps(changed)  # plain JSON


# --- tags -------------------------------------------------------------------------------------------

def test_tags_are_edited_and_suggested_from_the_clients_tickets_and_catalogue(http, make, admin, agent):
    creds = make.client()
    http.patch(f'/api/v1/clients/{creds.slug}', json={'tags': ['vip', 'vpn', 'billing']}, headers=admin.headers)
    first = make.ticket(creds, tags=['vip', 'router'])
    make.ticket(creds, tags=['vip'])
    make.ticket(make.client(), tags=['vampire'])
    changed = http.patch(f'/api/v1/tickets/{first["id"]}', json={'tags': ['VIP', 'router', 'video']},
                         headers=agent.headers)
    assert changed.get_json()['tags'] == ['vip', 'router', 'video']
    suggested = http.get('/api/v1/tickets/tags', query_string={'client': creds.slug, 'prefix': 'v'},
                         headers=agent.headers).get_json()
    assert suggested == [{'tag': 'vip', 'count': 2}, {'tag': 'video', 'count': 1}, {'tag': 'vpn', 'count': 0}]
    percent = http.get('/api/v1/tickets/tags', query_string={'client': creds.slug, 'prefix': '%'},
                       headers=agent.headers).get_json()
    assert percent == []
    outsider = make.agent(clients=[make.client().slug])
    assert http.get('/api/v1/tickets/tags', query_string={'client': creds.slug},
                    headers=outsider.headers).get_json() == []


def test_the_migration_builds_what_search_and_the_filter_read(tmp_path):
    """A database built by the migrations (not ``create_all``) searches and filters field values on both backends,
    and 0018_fields goes down and up again."""
    from flask_migrate import downgrade, upgrade

    from support import create_app
    from support.core.jobs import huey

    from ..conftest import app_config
    from ..core.test_migrations import _scratch_urls
    from ..factories import Factories
    huey.immediate = True
    for backend, url in _scratch_urls(str(tmp_path)):
        app = create_app(app_config(backend, SQLALCHEMY_DATABASE_URI=url))
        with app.app_context():
            upgrade(revision='heads')
            downgrade(revision='-1')  # 0018_fields, the last
            upgrade(revision='heads')
            make, http = Factories(app), app.test_client()
            admin = make.agent(role='admin')
            creds = make.client()
            created = http.post(f'/api/v1/clients/{creds.slug}/fields', headers=admin.headers, json=FIELDS[0])
            assert created.status_code == 201, created.get_json()
            ticket = make.ticket(creds, fields={'account_number': 'Módem ZX-9000'})
            found = http.get('/api/v1/search', query_string={'q': 'modem'}, headers=admin.headers).get_json()
            assert [hit['ticket']['id'] for hit in found['items']] == [ticket['id']], backend
            listed = http.get('/api/v1/tickets', query_string={'field.account_number': 'Módem ZX-9000'},
                              headers=admin.headers).get_json()
            assert [item['id'] for item in listed['items']] == [ticket['id']], backend
            db.session.remove()
            db.engine.dispose()

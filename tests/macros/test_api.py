"""Macros through the HTTP API: CRUD by scope, preview, apply in one transaction, the old canned-answer API."""
import sqlalchemy as sa

from support.core.extensions import db
from support.macros.models import Macro

CLOSE = {'title': 'Modem restarted', 'kind': 'reply',
         'body_en': 'Hi {{ customer.first_name }}, this is {{ agent.name }} from {{ client.name }}. '
                    'Ticket #{{ ticket.number }} ({{ ticket.subject }}) is solved.',
         'body_es': 'Hola {{ customer.first_name }}, soy {{ agent.name }} de {{ client.name }}. '
                    'El ticket #{{ ticket.number }} ({{ ticket.subject }}) quedó resuelto.{{ customer.phone }}'
                    '{% if ticket.fields.account %} Cuenta {{ ticket.fields.account }}.{% endif %}',
         'actions': {'status': 'pending', 'priority': 'high', 'add_tags': ['modem', 'Restarted'],
                     'remove_tags': ['new-customer']}}


def test_supervisors_manage_the_macros_of_their_clients(macros, make, http):
    make.client('other')
    created = macros.create(**CLOSE)
    assert created['client'] == 'acme' and created['client_name'] == 'Acme Cable'
    assert created['actions'] == {'status': 'pending', 'priority': 'high', 'add_tags': ['modem', 'restarted'],
                                  'remove_tags': ['new-customer'], 'queue_id': None, 'queue': None, 'fields': {}}
    assert macros.create(client='other', title='X', body_en='x', expect=422)['error']['fields'] == {
        'client': ['No client "other".']}
    assert macros.create(client=None, title='Global', body_en='x', expect=403)['error']['code'] == 'client_restricted'
    everyone = macros.create(macros.admin, client=None, title='Goodbye', body_en='Bye', body_es='Adiós')
    macros.create(macros.admin, client='other', title='Secret', body_en='x')
    duplicate = macros.create(title='Modem restarted', body_en='again', expect=409)
    assert duplicate['error']['code'] == 'duplicate'
    assert macros.create(macros.admin, client=None, title='Goodbye', body_en='x', expect=409)

    listed = http.get('/api/v1/macros', headers=macros.agent.headers).get_json()
    assert [m['title'] for m in listed] == ['Goodbye', 'Modem restarted']
    assert http.get('/api/v1/macros?client=other', headers=macros.agent.headers).status_code == 404
    assert http.post('/api/v1/macros', json={'title': 'T', 'body_en': 'x'}, headers=macros.agent.headers
                     ).status_code == 403

    url = f"/api/v1/macros/{created['id']}"
    patched = http.patch(url, json={'body_en': 'Hello {{ customer.name }}', 'actions': {'priority': None}},
                         headers=macros.boss.headers)
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()['body_en'] == 'Hello {{ customer.name }}'
    assert patched.get_json()['actions']['priority'] is None and patched.get_json()['actions']['status'] == 'pending'
    assert http.patch(f"/api/v1/macros/{everyone['id']}", json={'title': 'Mine'},
                      headers=macros.boss.headers).status_code == 403  # every client's: only for who sees all
    assert http.delete(url, headers=macros.agent.headers).status_code == 403
    assert http.delete(url, headers=macros.boss.headers).status_code == 204
    assert http.get(url, headers=macros.agent.headers).status_code == 404


def test_preview_fills_placeholders_in_the_tickets_language_and_missing_values_are_empty(macros, http):
    macro = macros.create(**CLOSE)
    ticket = macros.ticket(subject='Sin internet')
    preview = macros.preview(ticket, macro)
    assert preview.status_code == 200, preview.get_json()
    assert preview.get_json() == {
        'macro_id': macro['id'], 'ticket_id': ticket['id'], 'language': 'es', 'kind': 'reply',
        'body': f"Hola María, soy Lucía Hernández de Acme Cable. El ticket #{ticket['number']} (Sin internet) "
                'quedó resuelto.',
        'actions': macro['actions']}
    english = macros.ticket(language='en', subject='No internet', customer={'name': 'John Miller', 'email': 'john@example.com'})
    assert macros.preview(english, macro).get_json()['body'].startswith('Hi John, this is Lucía Hernández')
    only_english = macros.create(title='English only', body_en='Hello {{ customer.nickname.first }}!'
                                 '{{ ticket.fields.modem_mac }}{{ nobody|default("") }}'.replace('nobody', 'ticket.x'))
    shown = macros.preview(ticket, only_english).get_json()
    assert (shown['language'], shown['body']) == ('en', 'Hello !')  # no Spanish text: the English one
    assert [m['title'] for m in http.get(f"/api/v1/tickets/{ticket['id']}/macros",
                                         headers=macros.agent.headers).get_json()] == ['English only',
                                                                                      'Modem restarted']
    assert macros.detail(ticket)['messages'][-1]['kind'] == 'inbound'  # a preview writes nothing


def test_apply_writes_the_reply_and_the_actions_in_one_go_with_history(macros):
    macro = macros.create(**CLOSE)
    ticket = macros.ticket(subject='Sin internet', tags=['new-customer', 'vip'])
    applied = macros.apply(ticket, macro)
    assert applied.status_code == 200, applied.get_json()
    body = applied.get_json()
    assert body['message']['kind'] == 'outbound' and body['message']['body'].startswith('Hola María')
    assert body['message']['language'] == 'es'
    assert (body['ticket']['status'], body['ticket']['priority']) == ('pending', 'high')
    detail = macros.detail(ticket)
    assert detail['tags'] == ['vip', 'modem', 'restarted']
    kinds = [e['kind'] for e in detail['events']]
    assert kinds[-6:] == ['macro_applied', 'reply_added', 'status_changed', 'status_changed', 'priority_changed',
                          'tags_changed']
    applied_event = detail['events'][-6]
    assert applied_event['after'] == {'macro_id': macro['id'], 'title': 'Modem restarted'}
    assert {e['actor']['id'] for e in detail['events'][-6:]} == {macros.agent.id}


def test_the_agents_edit_is_sent_as_it_is_and_a_note_macro_writes_a_note(macros):
    macro = macros.create(title='Escalate', kind='note', body_en='Checked {{ ticket.subject }}',
                          actions={'priority': 'urgent'})
    ticket = macros.ticket(language='en', subject='Router')
    applied = macros.apply(ticket, macro, body='My own words {{ customer.name }}').get_json()
    assert applied['message']['kind'] == 'note' and applied['message']['body'] == 'My own words {{ customer.name }}'
    assert applied['changes'] == {'priority': ['normal', 'urgent']}
    actions_only = macros.create(title='Tag only', actions={'add_tags': ['billing']})
    applied = macros.apply(ticket, actions_only).get_json()
    assert applied['message'] is None and applied['changes'] == {'tags': [[], ['billing']]}


def test_an_action_the_ticket_cannot_take_changes_nothing(macros, http):
    resolve = macros.create(title='Resolve', body_es='Listo {{ customer.name }}', actions={'status': 'resolved',
                                                                                           'add_tags': ['done']})
    ticket = macros.ticket()
    http.patch(f"/api/v1/tickets/{ticket['id']}", json={'status': 'open'}, headers=macros.agent.headers)
    http.patch(f"/api/v1/tickets/{ticket['id']}", json={'status': 'resolved'}, headers=macros.agent.headers)
    http.patch(f"/api/v1/tickets/{ticket['id']}", json={'status': 'closed'}, headers=macros.agent.headers)
    before = macros.detail(ticket)
    refused = macros.apply(ticket, resolve)
    assert refused.status_code == 409 and refused.get_json()['error']['code'] == 'invalid_transition'
    after = macros.detail(ticket)
    assert (len(after['messages']), len(after['events']), after['tags']) == (
        len(before['messages']), len(before['events']), [])


def test_a_macro_sends_the_ticket_to_a_queue(macros, http):
    queue = http.post('/api/v1/routing/queues', json={'name': 'Acme billing', 'client': 'acme', 'family': 'email'},
                      headers=macros.admin.headers).get_json()
    macro = macros.create(title='To billing', body_es='Le paso con facturación.', actions={'queue_id': queue['id']})
    assert macro['actions']['queue'] == 'Acme billing'
    ticket = macros.ticket()
    colleague = macros.make.agent(clients=['acme'])
    assert macros.apply(ticket, macro, who=colleague).status_code == 403  # not theirs to transfer
    applied = macros.apply(ticket, macro)
    assert applied.status_code == 200, applied.get_json()
    assert applied.get_json()['ticket']['assignee_id'] is None
    assert 'unassigned' in [e['kind'] for e in macros.detail(ticket)['events']]


def test_macros_of_another_client_do_not_apply(macros, make):
    other = make.client('other')
    macro = macros.create(macros.admin, client='other', title='Other', body_en='x')
    ticket = macros.ticket()
    assert macros.preview(ticket, macro, who=macros.admin).status_code == 422
    assert macros.apply(ticket, macro, who=macros.admin).get_json()['error']['fields'] == {
        'macro_id': ['This macro is for another client.']}
    assert macros.preview(ticket, macro).status_code == 404  # the agent does not serve "other"
    assert other.slug == 'other'


def test_a_stored_text_that_breaks_is_a_422_never_a_500(macros):
    macro = macros.create(title='Fine', body_es='Hola')
    db.session.execute(sa.update(Macro).where(Macro.id == macro['id']).values(body_es='{{ customer.__class__ }} {%'))
    db.session.commit()
    ticket = macros.ticket()
    for response in (macros.preview(ticket, macro), macros.apply(ticket, macro)):
        assert response.status_code == 422 and 'body_es' in response.get_json()['error']['fields']
    db.session.execute(sa.update(Macro).where(Macro.id == macro['id']).values(body_es='{{ ticket.subject|truncate("x") }}'))
    db.session.commit()
    assert macros.preview(ticket, macro).status_code == 422


def test_draft_preview_from_a_ticket_or_made_up_data(macros, http):
    ticket = macros.ticket(subject='Sin internet')
    draft = {'body_en': 'Hi {{ customer.name }}', 'body_es': 'Hola {{ customer.name }}: {{ ticket.subject }}'}
    shown = http.post('/api/v1/macros/preview', json={**draft, 'ticket_id': ticket['id']},
                      headers=macros.boss.headers).get_json()
    assert shown == {'body_en': 'Hi María López', 'body_es': 'Hola María López: Sin internet'}
    sample = http.post('/api/v1/macros/preview', json=draft, headers=macros.boss.headers).get_json()
    assert sample == {'body_en': 'Hi John Miller', 'body_es': 'Hola María López: Sin internet'}
    bad = http.post('/api/v1/macros/preview', json={'body_en': '{{ customer.name'}, headers=macros.boss.headers)
    assert bad.status_code == 422 and 'body_en' in bad.get_json()['error']['fields']


def test_canned_answers_are_one_language_of_a_macro(macros, http):
    boss = macros.boss
    for language, body in (('es', 'Hola {customer}, soy {agent}.'), ('en', 'Hi {customer}')):
        response = http.post('/api/v1/canned-answers', headers=boss.headers,
                             json={'client': 'acme', 'language': language, 'title': 'Greeting', 'body': body})
        assert response.status_code == 201, response.get_json()
    macro = http.get('/api/v1/macros', headers=macros.agent.headers).get_json()
    assert [(m['title'], m['body_es'], m['body_en']) for m in macro] == [
        ('Greeting', 'Hola {{ customer.name }}, soy {{ agent.name }}.', 'Hi {{ customer.name }}')]
    answers = http.get('/api/v1/canned-answers?client=acme', headers=macros.agent.headers).get_json()
    assert [(a['id'], a['language'], a['body']) for a in answers] == [
        (macro[0]['id'], 'en', 'Hi {customer}'), (macro[0]['id'], 'es', 'Hola {customer}, soy {agent}.')]
    ticket = macros.ticket()
    assert macros.preview(ticket, macro[0]).get_json()['body'] == 'Hola María López, soy Lucía Hernández.'
    patched = http.patch(f"/api/v1/canned-answers/{macro[0]['id']}", headers=boss.headers,
                         json={'language': 'es', 'body': 'Buenas {customer}'})
    assert patched.status_code == 200 and patched.get_json()['body'] == 'Buenas {customer}'
    assert http.get(f"/api/v1/macros/{macro[0]['id']}", headers=boss.headers).get_json()['body_en'] == (
        'Hi {{ customer.name }}')

"""Macros and custom fields: ``{{ ticket.fields.<name> }}`` placeholders and a ``fields`` action."""


def _define(macros, **body):
    response = macros.http.post('/api/v1/clients/acme/fields', json=body, headers=macros.admin.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _fields(macros):
    _define(macros, name='account', type='text', label_en='Account', label_es='Cuenta', required='before_resolve')
    _define(macros, name='plan', type='select', label_en='Plan', label_es='Plan contratado',
            options=[{'value': 'fiber', 'label_en': 'Fiber', 'label_es': 'Fibra'},
                     {'value': 'dsl', 'label_en': 'DSL', 'label_es': 'DSL'}])


def test_a_macro_fills_the_required_fields_and_resolves_in_one_go(macros, http):
    _fields(macros)
    macro = macros.create(title='Close with account', body_es='Cuenta {{ ticket.fields.account }}, '
                          'plan {{ ticket.fields.plan }}.',
                          actions={'status': 'resolved', 'fields': {'account': 'A-1042', 'plan': 'fiber'}})
    assert macro['actions']['fields'] == {'account': 'A-1042', 'plan': 'fiber'}
    ticket = macros.ticket()
    assert macros.preview(ticket, macro).get_json()['body'] == 'Cuenta , plan .'  # no values yet: empty
    http.patch(f"/api/v1/tickets/{ticket['id']}", json={'fields': {'account': 'B-7', 'plan': 'dsl'}},
               headers=macros.agent.headers)
    assert macros.preview(ticket, macro).get_json()['body'] == 'Cuenta B-7, plan DSL.'
    applied = macros.apply(ticket, macro)
    assert applied.status_code == 200, applied.get_json()
    assert applied.get_json()['changes']['fields'] == [{'account': 'B-7', 'plan': 'dsl'},
                                                       {'account': 'A-1042', 'plan': 'fiber'}]
    detail = macros.detail(ticket)
    assert detail['status'] == 'resolved' and detail['fields'] == {'account': 'A-1042', 'plan': 'fiber'}
    assert 'fields_changed' in [e['kind'] for e in detail['events']]
    again = macros.ticket()
    http.patch(f"/api/v1/tickets/{again['id']}", json={'fields': {'plan': 'fiber'}}, headers=macros.agent.headers)
    label = macros.create(title='Plan', body_es='Su plan: {{ ticket.fields.plan }}')
    assert macros.preview(again, label).get_json()['body'] == 'Su plan: Fibra'  # the option's label, in Spanish


def test_field_actions_are_checked_against_the_clients_fields(macros, make):
    _fields(macros)
    make.client('other')
    unknown = macros.create(title='X', actions={'fields': {'nope': '1'}}, expect=422)
    assert 'nope' in unknown['error']['fields']['actions']['fields']
    outside = macros.create(title='X', actions={'fields': {'plan': 'satellite'}}, expect=422)
    assert 'plan' in outside['error']['fields']['actions']['fields']
    everyone = macros.create(macros.admin, client=None, title='X', actions={'fields': {'plan': 'fiber'}}, expect=422)
    assert everyone['error']['fields'] == {'actions': {'fields': ['Only a macro for one client can set custom '
                                                                  'fields.']}}
    assert macros.create(macros.admin, client='other', title='X', actions={'fields': {'plan': 'fiber'}},
                         expect=422)['error']['fields']['actions']['fields']
    assert macros.create(title='X', actions={'fields': ['plan']}, expect=422)['error']['fields']['actions']
    spanish = macros.http.post('/api/v1/macros', json={'client': 'acme', 'title': 'X',
                                                       'actions': {'fields': {'plan': 'satellite'}}},
                               headers={**macros.boss.headers, 'Accept-Language': 'es'})
    assert spanish.status_code == 422 and spanish.get_json()['error']['fields']['actions']['fields']['plan']


def test_a_field_turned_off_after_saving_makes_apply_change_nothing(macros, http):
    _fields(macros)
    macro = macros.create(title='Plan', body_es='Listo', actions={'fields': {'plan': 'fiber'}, 'priority': 'high'})
    plan = next(f for f in http.get('/api/v1/clients/acme/fields', headers=macros.admin.headers).get_json()
                if f['name'] == 'plan')
    assert http.patch(f"/api/v1/clients/acme/fields/{plan['id']}", json={'active': False},
                      headers=macros.admin.headers).status_code == 200
    ticket = macros.ticket()
    before = macros.detail(ticket)
    refused = macros.apply(ticket, macro)
    assert refused.status_code == 422 and 'fields' in refused.get_json()['error']['fields']
    after = macros.detail(ticket)
    assert (len(after['messages']), after['priority']) == (len(before['messages']), 'normal')

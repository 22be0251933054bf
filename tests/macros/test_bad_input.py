"""Bad macros are refused when saved with a message per field, in English or Spanish; never a 500."""
import pytest

TEMPLATES = [
    ('{{ customer.name', 'Line 1: this is not a valid template'),
    ('Hola {% if ticket.subject %}sin cerrar', 'Line 1: this is not a valid template'),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", 'Line 1: "( )" is not allowed in a macro'),
    ('{{ customer.__class__ }}', 'Line 1: names starting with "_" are not allowed.'),
    ("{{ customer['__init__'] }}", 'Line 1: names starting with "_" are not allowed.'),
    ('{{ cycler.__init__.__globals__.os }}', 'Line 1: names starting with "_" are not allowed.'),
    ('{{ cycler }}', 'Line 1: unknown placeholder "cycler"; use customer, ticket, agent, client.'),
    ('{{ range(10) }}', 'Line 1: "( )" is not allowed'),
    ("{{ 'x' * 100000000 }}", 'Line 1: "*" is not allowed'),
    ('{% set x = 1 %}', 'Line 1: "set" is not allowed'),
    ("{% include 'console/base.html' %}", 'Line 1: "include" is not allowed'),
    ("\n{{ customer.name|attr('__class__') }}", 'Line 2: the filter "attr" is not allowed'),
    ("{% for c in 'abcdef' %}{% endfor %}", 'Line 1: a loop may only go over a placeholder'),
    ('{{ lipsum }}', 'Line 1: unknown placeholder "lipsum"'),
    ('{% for a in ticket.tags %}{% for b in ticket.subject %}{% endfor %}{% endfor %}',
     'Line 1: a loop inside a loop is not allowed.'),
    ('{{ ticket.subject|truncate("x") }}', 'This text could not be filled in for a sample ticket'),
]


@pytest.mark.parametrize('template, message', TEMPLATES)
def test_a_text_that_is_no_template_or_reaches_for_internals_is_refused(macros, template, message):
    refused = macros.create(title='Bad', body_en='ok', body_es=template, expect=422)
    assert list(refused['error']['fields']) == ['body_es']
    assert refused['error']['fields']['body_es'][0].startswith(message), refused


def test_the_messages_are_in_spanish_for_a_spanish_reader(macros, http):
    response = http.post('/api/v1/macros', headers={**macros.boss.headers, 'Accept-Language': 'es'},
                         json={'client': 'acme', 'title': 'Mal', 'body_en': '{{ customer.name',
                               'body_es': '{{ desconocido }}', 'actions': {'status': 'closed'}})
    fields = response.get_json()['error']['fields']
    assert response.status_code == 422
    assert fields['body_en'][0].startswith('Línea 1: ')
    assert fields['body_es'][0].startswith('Línea 1: ') and 'desconocido' in fields['body_es'][0]
    assert 'actions' in fields


def test_loops_and_conditions_over_the_data_are_fine(macros):
    ok = ('{% for tag in ticket.tags %}{{ tag|upper }}{% if not loop.last %}, {% endif %}{% endfor %}'
          '{{ customer.name|default("cliente")|title }} {{ ticket.subject ~ "!" if ticket.subject else "" }}')
    macros.create(title='Fine', body_es=ok)


@pytest.mark.parametrize('body, field', [
    ({'actions': {'status': 'closed'}}, 'actions'),
    ({'actions': {'priority': 'whenever'}}, 'actions'),
    ({'actions': {'add_tags': ['a'], 'remove_tags': ['A']}}, 'actions'),
    ({'actions': {'queue_id': 999999}}, 'actions'),
    ({'actions': {'queue_id': 2 ** 40}}, 'actions'),
    ({'actions': {'fields': {'account': '1'}}}, 'actions'),
    ({'actions': {'add_tags': ['x' * 41]}}, 'actions'),
    ({'kind': 'email'}, 'kind'),
    ({'title': ''}, 'title'),
    ({'title': 'x' * 121}, 'title'),
    ({'body_en': 'x' * 5001}, 'body_en'),
    ({'body_en': 'a\x00b'}, 'body_en'),
    ({'client': 'nope'}, 'client'),
    ({'colour': 'red'}, 'colour'),
])
def test_bad_fields_are_named(macros, body, field):
    refused = macros.create(**{'title': 'T', 'body_en': 'x', **body}, expect=422)
    assert field in refused['error']['fields'], refused


def test_a_macro_needs_a_text_or_an_action(macros):
    assert macros.create(title='Empty', body_en='  ', expect=422)['error']['fields'] == {
        '_schema': ['Give a text in English or Spanish, or at least one action.']}
    created = macros.create(title='Tag', actions={'add_tags': ['x']})
    response = macros.http.patch(f"/api/v1/macros/{created['id']}", json={'actions': {'add_tags': []}},
                                 headers=macros.boss.headers)
    assert response.status_code == 422


def test_resolving_and_sending_to_a_queue_do_not_go_together(macros, http):
    queue = http.post('/api/v1/routing/queues', json={'name': 'Q', 'client': 'acme'},
                      headers=macros.admin.headers).get_json()
    refused = macros.create(title='Both', body_en='x', actions={'status': 'resolved', 'queue_id': queue['id']},
                            expect=422)
    assert 'queue_id' in refused['error']['fields']['actions']


def test_a_text_that_would_grow_past_a_message_is_a_422(macros):
    huge = "{% for t in ticket.subject %}{{ ticket.subject|replace('', '" + 'x' * 4000 + "') }}{% endfor %}"
    macro = macros.create(title='Huge', body_en=huge)
    ticket = macros.ticket(language='en', subject='s' * 200)
    response = macros.preview(ticket, macro)
    assert response.status_code == 422
    assert response.get_json()['error']['fields'] == {'body_en': ['Filled in, this text is longer than 20000 '
                                                                  'characters.']}

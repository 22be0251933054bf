"""Full-text search through the HTTP API, on SQLite (FTS5) and PostgreSQL (tsvector): same tests, same answers."""
import pytest

from support.core.extensions import db
from support.tickets.models import Message, Ticket


@pytest.fixture
def agent(make):
    return make.agent(languages=['en', 'es'])


@pytest.fixture
def creds(make):
    return make.client(slug='cablenet')


def _search(http, agent, expect=200, headers=None, **params):
    response = http.get('/api/v1/search', query_string=params, headers={**agent.headers, **(headers or {})})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def _ids(page):
    return [hit['ticket']['id'] for hit in page['items']]


def _marked(match):
    """The highlighted words of a match, cut out of its plain text by their offsets."""
    return [match['text'][start:end] for start, end in match['highlights']]


def test_accents_case_and_stems_in_spanish_and_english(make, http, agent, creds):
    phone = make.ticket(creds, subject='Problema con el teléfono', language='es',
                        body='El teléfono fijo no tiene tono desde ayer.')
    modem = make.ticket(creds, subject='Sin internet', language='es',
                        body='Ayer reinicié el módem y sigue igual.')
    english = make.ticket(creds, subject='Modems in the shop', language='en', body='Which modems do you sell?')
    make.ticket(creds, subject='Factura', language='es', body='Me cobraron dos veces este mes.')

    assert _ids(_search(http, agent, q='telefono')) == [phone['id']]
    assert _ids(_search(http, agent, q='TELÉFONO')) == [phone['id']]
    assert set(_ids(_search(http, agent, q='modems'))) == {modem['id'], english['id']}
    assert _ids(_search(http, agent, q='reiniciar')) == [modem['id']]
    assert _ids(_search(http, agent, q='reinicié')) == [modem['id']]
    assert _ids(_search(http, agent, q='modem sell')) == [english['id']]  # every word, in one text


def test_snippets_are_plain_text_with_highlight_offsets(make, http, agent, creds):
    ticket = make.ticket(creds, subject='Sin internet', language='es',
                         body='Hola. <b>Ayer</b> reinicié el módem & el router, y nada.')
    hit = _search(http, agent, q='modem reiniciar')['items'][0]
    assert hit['ticket']['id'] == ticket['id'] and hit['ticket']['subject'] == 'Sin internet'
    [match] = hit['matches']
    assert match['field'] == 'message' and match['message_kind'] == 'inbound'
    assert match['text'] == 'Hola. <b>Ayer</b> reinicié el módem & el router, y nada.'  # as written, not HTML
    assert _marked(match) == ['reinicié', 'módem']
    long_body = 'Primero. ' + 'palabra ' * 80 + 'el teléfono suena raro ' + 'otra ' * 80
    make.ticket(creds, subject='Ruido', language='es', body=long_body)
    [match] = _search(http, agent, q='telefono')['items'][0]['matches']
    assert match['text'].startswith('…') and match['text'].endswith('…') and len(match['text']) <= 162
    assert _marked(match) == ['teléfono']


def test_a_phrase_in_quotes_needs_its_words_in_order(make, http, agent, creds):
    together = make.ticket(creds, subject='Luz roja', language='es', body='La luz roja del módem parpadea.')
    apart = make.ticket(creds, subject='Módem', language='es', body='El módem tiene una luz que parpadea, roja.')
    assert set(_ids(_search(http, agent, q='luz roja'))) == {together['id'], apart['id']}
    assert _ids(_search(http, agent, q='"luz roja"')) == [together['id']]
    assert _ids(_search(http, agent, q='"luz roja')) == [together['id']]  # an unbalanced quote runs to the end


def test_or_exclusion_and_prefix(make, http, agent, creds):
    router = make.ticket(creds, subject='Router broken', language='en', body='The router light is off.')
    modem = make.ticket(creds, subject='Modem broken', language='en', body='The modem light is off.')
    assert set(_ids(_search(http, agent, q='router OR modem'))) == {router['id'], modem['id']}
    assert _ids(_search(http, agent, q='broken -router')) == [modem['id']]
    assert set(_ids(_search(http, agent, q='brok*'))) == {router['id'], modem['id']}
    assert _ids(_search(http, agent, q='rout*')) == [router['id']]


def test_subject_ranks_above_a_passing_mention(make, http, agent, creds):
    passing = make.ticket(creds, subject='Billing question', language='en',
                          body='I have a question about my bill. ' * 5 + 'Also my router is old.')
    about = make.ticket(creds, subject='Router keeps rebooting', language='en', body='The router reboots.')
    page = _search(http, agent, q='router')
    assert _ids(page) == [about['id'], passing['id']]
    assert page['items'][0]['rank'] > page['items'][1]['rank']
    assert [m['field'] for m in page['items'][0]['matches']] == ['subject', 'message']


def test_customers_and_later_messages_are_searched(make, http, agent, creds):
    ticket = make.ticket(creds, subject='Question', language='en', body='Hello',
                         customer={'name': 'José Núñez', 'email': 'jose.nunez@example.com'})
    hit = _search(http, agent, q='jose nunez')['items'][0]
    assert hit['ticket']['id'] == ticket['id']
    assert [(m['field'], _marked(m)) for m in hit['matches']] == [('customer_name', ['José', 'Núñez']),
                                                                   ('customer_email', ['jose', 'nunez'])]
    assert _ids(_search(http, agent, q='jose.nunez@example.com')) == [ticket['id']]
    http.post(f'/api/v1/tickets/{ticket["id"]}/messages', json={'kind': 'note', 'body': 'Customer wants a técnico'},
              headers=agent.headers)
    assert _ids(_search(http, agent, q='tecnico')) == [ticket['id']]
    message = db.session.get(Message, db.session.get(Ticket, ticket['id']).messages[0].id)
    message.body = 'Changed text about a satellite'
    db.session.commit()
    assert _ids(_search(http, agent, q='satellites')) == [ticket['id']]
    assert _search(http, agent, q='hello')['items'] == []


def test_filters_and_what_the_reader_may_see(make, http, agent, creds):
    other = make.client(slug='phoneco')
    mine = make.ticket(creds, subject='Router', language='en', channel='chat')
    make.ticket(creds, subject='Router', language='en', channel='email')
    theirs = make.ticket(other, subject='Router', language='en', channel='chat')
    assert set(_ids(_search(http, agent, q='router', channel='chat'))) == {mine['id'], theirs['id']}
    assert _ids(_search(http, agent, q='router', channel='chat', client='cablenet')) == [mine['id']]
    restricted = make.agent(clients=['phoneco'])
    assert _ids(_search(http, restricted, q='router')) == [theirs['id']]
    assert _search(http, agent, q='router', status='closed')['items'] == []


def test_keyset_pages_by_rank_then_id_and_cursors_are_signed(make, http, agent, creds):
    for n in range(7):
        make.ticket(creds, subject=f'Router {n}' + ' router' * (n % 3), language='en', body='Router.')
    seen, cursor = [], None
    while True:
        page = _search(http, agent, q='router', limit=3, **({'cursor': cursor} if cursor else {}))
        seen += [(hit['rank'], hit['ticket']['id']) for hit in page['items']]
        cursor = page['next_cursor']
        if cursor is None:
            break
    assert len(seen) == 7 and len({i for _r, i in seen}) == 7
    assert seen == sorted(seen, key=lambda pair: (-pair[0], -pair[1]))
    first = _search(http, agent, q='router', limit=3)['next_cursor']
    forged = first[:-3] + ('AAA' if not first.endswith('AAA') else 'BBB')
    error = _search(http, agent, 422, q='router', cursor=forged, headers={'Accept-Language': 'es'})['error']
    assert error['fields']['cursor'] == ['No es un cursor válido para esta búsqueda.']
    assert 'cursor' in _search(http, agent, 422, q='modem', cursor=first)['error']['fields']  # another query's


def test_the_ticket_list_filters_by_the_same_search(make, http, agent, creds):
    modem = make.ticket(creds, subject='Sin internet', language='es', body='Reinicié el módem.')
    make.ticket(creds, subject='Factura', language='es', body='Cobro doble.')
    response = http.get('/api/v1/tickets', query_string={'q': 'modems', 'status': 'new'}, headers=agent.headers)
    assert [item['id'] for item in response.get_json()['items']] == [modem['id']]


def test_the_migration_indexes_rows_written_before_it(tmp_path):
    """Upgrading a database that already holds tickets makes them searchable (backfill, generated columns)."""
    from flask_migrate import downgrade, upgrade

    from support import create_app

    from ..conftest import app_config
    from ..core.test_migrations import _scratch_urls
    from ..factories import Factories
    from support.core.jobs import huey
    huey.immediate = True  # jobs run inline, as under the app fixture: no thread holds SQLite's lock
    for backend, url in _scratch_urls(str(tmp_path)):
        app = create_app(app_config(backend, SQLALCHEMY_DATABASE_URI=url))
        with app.app_context():
            upgrade(revision='heads')
            make = Factories(app)
            agent = make.agent(languages=['es'])
            ticket = make.ticket(make.client(), subject='Sin tono', language='es', body='El teléfono no suena.')
            db.session.remove()
            downgrade(revision='0015_report_files')  # the search index gone, the ticket kept
            upgrade(revision='heads')
            found = app.test_client().get('/api/v1/search', query_string={'q': 'telefono'}, headers=agent.headers)
            assert [hit['ticket']['id'] for hit in found.get_json()['items']] == [ticket['id']], backend
            db.session.remove()
            db.engine.dispose()

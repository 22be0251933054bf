"""How many SQL statements a signed intake costs, so round trips that are not needed cannot creep back.

Counted with SQLAlchemy's ``before_cursor_execute`` in the request's own thread, with the
production queue-update interval (1 s: ``queue.updated`` is coalesced by a ticker, which
the test keeps from starting: it is a background thread, not part of the request). Not
counted: the transaction's BEGIN (SQLite's ``BEGIN IMMEDIATE``; psycopg sends its BEGIN
with the first statement) and COMMIT; the test checks there is exactly one of each.
Savepoints count. Each request starts with a fresh session, as in production.

PostgreSQL writes a first contact in one statement (a CTE); SQLite has no writing CTE,
so there each row is its own ``INSERT`` (a call into the same process, not a network
round trip).
"""
import json
import threading
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.engine.default import NO_CACHE_KEY

from support.core.extensions import db
from support.live import routing_events

FIRST_CONTACT = {'postgresql': 5, 'sqlite': 8}
FOLLOW_UP = {'postgresql': 7, 'sqlite': 7}


class Counted:
    def __init__(self):
        self.statements: list[str] = []
        self.uncacheable: list[str] = []  # compiled again on every request: SQLAlchemy found no cache key
        self.begins = self.commits = 0

    def __len__(self):
        return len(self.statements)

    def __str__(self):
        return '\n'.join(' '.join(s.split())[:160] for s in self.statements)


@contextmanager
def counting():
    """Statements the current thread sends while the block runs (BEGIN/COMMIT counted apart)."""
    counted, me, engine = Counted(), threading.get_ident(), db.engine

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        if threading.get_ident() != me:
            return
        if statement.lstrip().upper().startswith('BEGIN'):
            counted.begins += 1
        else:
            counted.statements.append(statement)
            if context is not None and context.cache_hit == NO_CACHE_KEY and \
                    not statement.lstrip().upper().startswith(('SAVEPOINT', 'RELEASE')):
                counted.uncacheable.append(statement)

    def on_begin(conn):
        if threading.get_ident() == me and conn.dialect.name != 'sqlite':
            counted.begins += 1

    def on_commit(conn):
        if threading.get_ident() == me:
            counted.commits += 1
    db.session.remove()
    listeners = [('before_cursor_execute', on_execute), ('begin', on_begin), ('commit', on_commit)]
    for name, fn in listeners:
        sa.event.listen(engine, name, fn)
    try:
        yield counted
    finally:
        for name, fn in listeners:
            sa.event.remove(engine, name, fn)
        db.session.remove()


@pytest.fixture
def production_interval(app, monkeypatch):
    """``SUPPORT_QUEUE_UPDATE_INTERVAL`` as in production; the coalescing ticker is not started here."""
    monkeypatch.setitem(app.config, 'SUPPORT_QUEUE_UPDATE_INTERVAL', 1.0)
    monkeypatch.setattr(routing_events, '_start_ticker', lambda app: None)
    yield
    with routing_events._lock:
        routing_events._dirty.clear()


def _backend():
    return db.engine.dialect.name


def _post(make, creds, **body):
    response = make.post_ticket(creds, **body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_first_contact_costs_at_most_five_round_trips(make, http, production_interval):
    creds = make.client()
    _post(make, creds, customer={'email': 'warm-up@example.com'})   # creates the queue
    _post(make, creds, customer={'email': 'warm-up-2@example.com'})  # the caches are warm now
    with counting() as counted:
        ticket = _post(make, creds, subject='No dial tone', customer={'name': 'Ana', 'email': 'ana@example.com'})
    assert counted.begins == 1 and counted.commits == 1, str(counted)
    assert len(counted) <= FIRST_CONTACT[_backend()], str(counted)
    assert counted.uncacheable == []  # each statement compiled once per process, not per intake
    assert not any('FROM sla_clocks' in s for s in counted.statements)  # nothing reloaded after commit
    assert not any('FROM agent_states' in s for s in counted.statements)  # nobody has room: no candidates query
    if _backend() == 'postgresql':  # customer, identity, ticket, message and history in one statement
        assert sum(s.lstrip().startswith('WITH') for s in counted.statements) == 1
    # and it is all there: the customer, the first message, the history, the waiting queue item
    raw = b''
    detail = http.get(f'/api/v1/intake/tickets/{ticket["id"]}', headers=creds.headers(raw)).get_json()
    assert detail['customer']['email'] == 'ana@example.com' and detail['status'] == 'new'
    assert [m['body'] for m in detail['messages']] == ['My internet disconnects every evening around eight.']
    assert [e['kind'] for e in detail['events']] == ['created']
    admin = make.agent(role='admin')
    queues = http.get('/api/v1/routing/queues', headers=admin.headers).get_json()
    assert sum(q['waiting'] for q in queues) == 3


def test_returning_customer_costs_no_more(make, production_interval):
    creds = make.client()
    _post(make, creds, customer={'email': 'warm-up@example.com'})
    _post(make, creds, customer={'email': 'again@example.com'})
    with counting() as counted:
        ticket = _post(make, creds, customer={'name': 'Again', 'email': 'again@example.com'})
    assert len(counted) <= FIRST_CONTACT[_backend()], str(counted)
    assert ticket['customer']['email'] == 'again@example.com'


def test_follow_up_chat_message_on_an_open_ticket(make, http, production_interval):
    creds = make.client()

    def chat(conversation, message_id, text):
        raw = json.dumps({'conversation_id': conversation, 'message_id': message_id, 'text': text,
                          'visitor': {'id': f'v-{conversation}', 'name': 'Visitor'}}).encode()
        response = http.post('/api/v1/channels/chat/messages', data=raw, headers=creds.headers(raw))
        assert response.status_code == 201, response.get_json()
        return response.get_json()
    chat('warm', 'w1', 'Hello, my router has no lights at all.')
    first = chat('c1', 'm1', 'Hello, my router has no lights at all.')
    with counting() as counted:
        again = chat('c1', 'm2', 'It also smells a bit like something burned.')
    assert again['ticket'] == first['ticket']
    assert counted.begins == 1 and counted.commits == 1, str(counted)
    assert len(counted) <= FOLLOW_UP[_backend()], str(counted)


# Routing inline adds: the candidates, a savepoint, the agent's lock and capacity (one statement on PostgreSQL),
# the offer or the assignment.
ROUTED = {'postgresql': {'chat': 9, 'email': 11}, 'sqlite': {'chat': 15, 'email': 17}}


@pytest.mark.parametrize('channel', ['chat', 'email'])
def test_first_contact_routed_inline_in_the_same_transaction(make, http, production_interval, channel):
    """With an agent free, intake offers (chat) or assigns (email) in its own transaction."""
    creds = make.client()
    agent = make.agent()
    assert http.put('/api/v1/routing/me/presence', json={'status': 'available'},
                    headers=agent.headers).status_code == 200
    _post(make, creds, channel=channel, customer={'email': 'warm-up@example.com'})
    _post(make, creds, channel=channel, customer={'email': 'warm-up-2@example.com'})
    with counting() as counted:
        ticket = _post(make, creds, channel=channel, customer={'name': 'Ana', 'email': 'ana@example.com'})
    assert counted.begins == 1 and counted.commits == 1, str(counted)
    me = http.get('/api/v1/routing/me', headers=agent.headers).get_json()
    assert me['load'][channel] == 3
    if channel == 'chat':
        offers = http.get('/api/v1/routing/offers', headers=agent.headers).get_json()
        assert ticket['id'] in [o['ticket']['id'] for o in offers]
    else:
        assert ticket['assignee']['id'] == agent.id
    assert len(counted) <= ROUTED[_backend()][channel], str(counted)
    assert counted.uncacheable == []

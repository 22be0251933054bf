"""Every list and filter of the API is served by an index at 100k tickets (PostgreSQL only).

100,000 tickets (with customers, one or two messages and an event each) are written with a few
``INSERT … SELECT generate_series`` statements and ANALYZEd; then each request below goes through
the HTTP API while the statements it runs are captured, and each captured statement that reads
tickets, messages or events is run again under ``EXPLAIN (ANALYZE, FORMAT JSON)``. A plan fails
on a sequential scan of those tables, or on a sort of more rows than a few pages (a sort above a
scan of a client's whole set is what an index in the list's order avoids).

Issue 13's full-text search adds its ``q=`` requests to ``REQUESTS`` (words no ticket holds: a ranked
search must sort all its matches, so one matching a whole client is measured in bench/search.py).
"""
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from support.core import clock
from support.core.extensions import db
from support.tickets import volume

TICKETS = 100_000
BIG_TABLES = {'tickets', 'messages', 'ticket_events', 'ticket_field_values'}
MOST_SORTED = 1_000  # rows a Sort may take in: a few pages, never a client's set

def _days_ago(days):
    return (clock.utcnow() - timedelta(days=days)).isoformat()


# (label, path, query string) — {big} is the largest client, {small} the smallest, {agent} an agent id,
# {ticket} a ticket of the big client.
REQUESTS = [
    ('newest', '/api/v1/tickets', {}),
    ('client', '/api/v1/tickets', {'client': '{big}'}),
    ('small client', '/api/v1/tickets', {'client': '{small}'}),
    ('client open', '/api/v1/tickets', {'client': '{big}', 'status': ['new', 'open', 'pending']}),
    ('client new', '/api/v1/tickets', {'client': '{small}', 'status': 'new'}),
    ('client closed', '/api/v1/tickets', {'client': '{big}', 'status': 'closed'}),
    ('status new', '/api/v1/tickets', {'status': 'new'}),
    ('status open', '/api/v1/tickets', {'status': ['open', 'pending']}),
    ('language', '/api/v1/tickets', {'client': '{big}', 'language': 'es'}),
    ('channel', '/api/v1/tickets', {'client': '{big}', 'channel': 'chat'}),
    ('rare channel', '/api/v1/tickets', {'client': '{small}', 'channel': ['sms', 'web']}),
    ('priority', '/api/v1/tickets', {'client': '{big}', 'priority': 'urgent'}),
    ('assignee', '/api/v1/tickets', {'assignee': '{agent}'}),
    ('assignee open', '/api/v1/tickets', {'assignee': '{agent}', 'status': ['open', 'pending']}),
    ('unassigned', '/api/v1/tickets', {'client': '{big}', 'assignee': 'none'}),
    ('tag', '/api/v1/tickets', {'client': '{big}', 'tag': 'vip'}),
    ('two tags', '/api/v1/tickets', {'tag': ['vip', 'billing']}),
    ('unknown tag', '/api/v1/tickets', {'tag': 'nobody-uses-this'}),
    ('product', '/api/v1/tickets', {'client': '{big}', 'product': 'router'}),
    ('last day', '/api/v1/tickets', {'client': '{big}', 'created_after': '{day_ago}'}),
    ('a week last year', '/api/v1/tickets', {'client': '{big}', 'created_after': '{year_ago}',
                                            'created_before': '{year_ago_plus_week}'}),
    ('sla breached', '/api/v1/tickets', {'client': '{big}', 'sla': 'breached'}),
    ('sla at risk', '/api/v1/tickets', {'sla': ['at_risk', 'breached']}),
    ('by due time', '/api/v1/tickets', {'sort': 'due'}),
    ('client by due time', '/api/v1/tickets', {'client': '{big}', 'sort': 'due'}),
    ('client open by due time', '/api/v1/tickets', {'client': '{big}', 'sort': 'due', 'status': ['open', 'new']}),
    ('tag suggestions', '/api/v1/tickets/tags', {'client': '{big}', 'prefix': 'v'}),
    ('field', '/api/v1/tickets', {'client': '{big}', 'field.account_number': 'acct{ticket}'}),
    ('field, any client', '/api/v1/tickets', {'field.account_number': 'acct{ticket}'}),
    ('common field value', '/api/v1/tickets', {'client': '{big}', 'field.plan': 'fiber'}),
    ('search a field', '/api/v1/search', {'q': 'acct{ticket}'}),
    ('ticket', '/api/v1/tickets/{ticket}', {}),
    ('thread of a ticket', '/api/v1/tickets/{ticket}/messages', {}),
    ('history of a ticket', '/api/v1/tickets/{ticket}/events', {}),
    ('search', '/api/v1/search', {'q': 'satellite'}),
    ('search a client, two words', '/api/v1/search', {'q': 'satellite dish', 'client': '{big}'}),
    ('search a phrase, open', '/api/v1/search', {'q': '"satellite dish"', 'status': ['new', 'open']}),
    ('list q', '/api/v1/tickets', {'client': '{big}', 'q': 'satellite'}),
    ('customers by name', '/api/v1/customers', {'q': 'Customer 4242'}),
    ('customers by email', '/api/v1/customers', {'q': 'customer4242@example.com'}),
]
RESTRICTED = {'newest', 'client open', 'status new', 'assignee', 'tag', 'by due time', 'sla at risk'}
PAGED = {'client', 'client open', 'assignee', 'tag', 'by due time', 'client by due time', 'language',
         'common field value'}


@pytest.fixture
def postgresql_only(app):
    if db.engine.dialect.name != 'postgresql':
        pytest.skip('query plans are checked on PostgreSQL')


def _load(make, tickets):
    clients = [make.client() for _ in range(7)]
    agents = [make.agent(languages=['en', 'es']) for _ in range(10)]
    with db.engine.begin() as conn:
        volume.load(conn, clients=[c.id for c in clients], agents=[a.id for a in agents], tickets=tickets,
                    max_messages=2)
        _load_fields(conn, clients[0].id)
    return clients, agents


def _load_fields(conn, client_id):
    """Custom fields of the big client: every ticket has an account number (text) and a plan (select)."""
    now = clock.utcnow()
    ids = {}
    for name, type_, options in (('account_number', 'text', []), ('plan', 'select', [
            {'value': v, 'label_en': v, 'label_es': v} for v in ('fiber', 'dsl', 'cable')])):
        ids[name] = conn.execute(sa.text(
            "INSERT INTO ticket_fields (client_id, name, type, label_en, label_es, options, required, position, "
            "active, created_at, updated_at) VALUES (:c, :n, :t, :n, :n, :o, 'optional', 0, true, :now, :now) "
            "RETURNING id"), {'c': client_id, 'n': name, 't': type_, 'o': json.dumps(options), 'now': now}).scalar()
    conn.execute(sa.text(
        "INSERT INTO ticket_field_values (ticket_id, field_id, value, search_text, updated_at) "
        "SELECT id, :account, 'acct' || id, 'acct' || id, :now FROM tickets WHERE client_id = :c "
        "UNION ALL SELECT id, :plan, (ARRAY['fiber', 'dsl', 'cable'])[1 + id % 3], NULL, :now "
        "FROM tickets WHERE client_id = :c"), {'account': ids['account_number'], 'plan': ids['plan'], 'c': client_id,
                                               'now': now})
    conn.execute(sa.text('ANALYZE ticket_field_values'))


@pytest.fixture
def loaded(postgresql_only, make, request):
    yield _load(make, getattr(request, 'param', TICKETS))
    db.session.remove()
    with db.engine.begin() as conn:  # the next tests start empty: leave no 100k-row statistics behind
        conn.execute(sa.text('TRUNCATE tickets, messages, ticket_events, customers, ticket_fields CASCADE'))
        conn.execute(sa.text('ANALYZE tickets, messages, ticket_events, customers, ticket_field_values'))


def _values(clients, agents):
    big, small = clients[0], clients[-1]
    ticket = db.session.scalar(sa.text('SELECT max(id) FROM tickets WHERE client_id = :c'), {'c': big.id})
    year_ago = clock.utcnow() - timedelta(days=300)
    return {'big': big.slug, 'small': small.slug, 'agent': str(agents[1].id), 'ticket': str(ticket),
            'day_ago': _days_ago(1), 'year_ago': year_ago.isoformat(),
            'year_ago_plus_week': (year_ago + timedelta(days=7)).isoformat()}


def _fill(value, values):
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    return value.format(**values)


class Capture:
    """The statements the engine runs while it is on, with their parameters."""

    def __init__(self):
        self.statements = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith('SELECT') and any(t in statement for t in BIG_TABLES):
            self.statements.append((statement, parameters))

    def __enter__(self):
        sa.event.listen(db.engine, 'before_cursor_execute', self)
        return self

    def __exit__(self, *exc):
        sa.event.remove(db.engine, 'before_cursor_execute', self)


def _nodes(plan, parent=None):
    yield plan, parent
    for child in plan.get('Plans', ()):
        yield from _nodes(child, plan)


def problems(plan: dict) -> list[str]:
    """What is wrong with one plan (``EXPLAIN (ANALYZE, FORMAT JSON)``'s top node)."""
    found = []
    for node, _parent in _nodes(plan):
        if node['Node Type'] == 'Seq Scan' and node.get('Relation Name') in BIG_TABLES:
            found.append(f"sequential scan of {node['Relation Name']}")
        if node['Node Type'] in ('Sort', 'Incremental Sort'):
            sorted_rows = sum(child['Actual Rows'] * child['Actual Loops'] for child in node.get('Plans', ()))
            if sorted_rows > MOST_SORTED:
                found.append(f'sort of {sorted_rows} rows by {node["Sort Key"]}')
    return found


def _explain(statement, parameters):
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql('EXPLAIN (ANALYZE, FORMAT JSON) ' + statement, parameters).scalar()
    return rows[0]['Plan']


def _summary(plan, depth=0) -> str:
    line = '  ' * depth + plan['Node Type'] + (f" on {plan['Relation Name']}" if 'Relation Name' in plan else '') + (
        f" using {plan['Index Name']}" if 'Index Name' in plan else '') + f" rows={plan['Actual Rows']}"
    return '\n'.join([line] + [_summary(child, depth + 1) for child in plan.get('Plans', ())])


def _run(http, headers, path, params):
    with Capture() as capture:
        response = http.get(path, query_string=params, headers=headers)
    assert response.status_code == 200, (path, params, response.get_json())
    return response.get_json(), capture.statements


def test_every_list_and_filter_is_served_by_an_index(loaded, http, make):
    clients, agents = loaded
    values = _values(clients, agents)
    restricted = make.agent(clients=[clients[0].slug, clients[-1].slug])  # tenancy: an IN list of two clients
    failures, checked = [], 0
    for (label, path, params), headers in [(request, agents[0].headers) for request in REQUESTS] + [
            (request, restricted.headers) for request in REQUESTS if request[0] in RESTRICTED]:
        path, params = path.format(**values), {k: _fill(v, values) for k, v in params.items()}
        body, statements = _run(http, headers, path, params)
        if label in PAGED:
            assert body['next_cursor'], label
            _body, more = _run(http, headers, path, dict(params, cursor=body['next_cursor']))
            statements += more
        assert statements, label
        for statement, parameters in statements:
            plan = _explain(statement, parameters)
            checked += 1
            failures += [f'{label}: {problem}\n{statement}\n{_summary(plan)}' for problem in problems(plan)]
    assert not failures, '\n\n'.join(failures)
    assert checked >= len(REQUESTS)


@pytest.mark.parametrize('loaded', [5_000], indirect=True)
def test_the_check_catches_a_sort_of_a_whole_client_and_a_sequential_scan(loaded):
    """The plans above pass because of the indexes, not because the check cannot fail."""
    big = loaded[0][0].id
    whole_client = _explain('SELECT * FROM tickets WHERE client_id = %(c)s ORDER BY subject LIMIT 50', {'c': big})
    assert any(p.startswith('sort of') for p in problems(whole_client)), _summary(whole_client)
    scan = _explain("SELECT * FROM messages WHERE body LIKE %(b)s ORDER BY id LIMIT 50", {'b': '%never%'})
    assert 'sequential scan of messages' in problems(scan), _summary(scan)

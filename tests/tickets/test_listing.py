"""The ticket list: the lean items equal the detail's fields, the new filters, a constant statement count."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from support.core import clock
from support.core.extensions import db
from support.sla.models import Metric, SlaClock
from support.tickets.models import Ticket

DETAIL_ONLY = ('messages', 'events', 'sla', 'disposition', 'abandoned_at', 'fields', 'csat')


@pytest.fixture
def agent(make):
    return make.agent(languages=['en', 'es'])


def _list(http, agent, **params):
    response = http.get('/api/v1/tickets', query_string=params, headers=agent.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _pause_a_clock(ticket_id):
    ticket = db.session.get(Ticket, ticket_id)
    now = clock.utcnow()
    ticket.sla_due_at = ticket.sla_warn_at = None
    db.session.add(SlaClock(ticket_id=ticket.id, client_id=ticket.client_id, metric=Metric.first_response,
                            target_seconds=3600, started_at=now, paused_at=now))
    db.session.commit()


def test_items_are_the_detail_without_thread_and_history(make, http, agent):
    creds = make.client()
    plain = make.ticket(creds, subject='Plain')
    worked = make.ticket(creds, subject='Worked', product='router', tags=['vip', 'outage'])
    paused = make.ticket(creds, subject='Paused')
    db.session.get(Ticket, worked['id']).assignee_id = agent.id
    db.session.commit()
    _pause_a_clock(paused['id'])
    http.patch(f'/api/v1/tickets/{worked["id"]}', json={'status': 'open', 'priority': 'high'}, headers=agent.headers)
    for language in ('en', 'es'):
        headers = {**agent.headers, 'Accept-Language': language}
        items = http.get('/api/v1/tickets', headers=headers).get_json()['items']
        assert [item['id'] for item in items] == [paused['id'], worked['id'], plain['id']]
        for item in items:
            detail = http.get(f'/api/v1/tickets/{item["id"]}', headers=headers).get_json()
            assert item == {k: v for k, v in detail.items() if k not in DETAIL_ONLY}
    assert items[0]['sla_state'] == 'paused' and items[1]['assignee'] == {'id': agent.id, 'name': items[1]['assignee']['name']}
    assert items[1]['status_label'] == 'Abierto' and items[1]['tags'] == ['vip', 'outage']


def test_filters_by_tag_product_and_creation_time(make, http, agent):
    creds = make.client()
    start = clock.utcnow()
    clock.travel_to(start - timedelta(days=10))
    old = make.ticket(creds, subject='Old', tags=['vip'], product='router')
    clock.travel_to(start)
    new = make.ticket(creds, subject='New', tags=['vip', 'billing'], product='modem')
    make.ticket(creds, subject='Untagged')

    def subjects(**params):
        return [t['subject'] for t in _list(http, agent, client=creds.slug, **params)['items']]

    assert subjects(tag='vip') == ['New', 'Old']
    assert subjects(tag=['vip', 'billing']) == ['New']
    assert subjects(tag='VIP ') == ['New', 'Old']  # tags are kept lower-case
    assert subjects(tag='bill') == []  # a whole tag, not a prefix
    assert subjects(product='router') == ['Old']
    assert subjects(created_after=(start - timedelta(days=1)).isoformat()) == ['Untagged', 'New']
    assert subjects(created_before=(start - timedelta(days=1)).isoformat()) == ['Old']
    assert subjects(created_after='2000-01-01T00:00:00', tag='vip') == ['New', 'Old']  # no offset: UTC
    assert _list(http, agent, client='no-such-client')['items'] == []
    assert {old['id'], new['id']} <= {t['id'] for t in _list(http, agent, tag='vip')['items']}
    bad = http.get('/api/v1/tickets', query_string={'created_after': 'yesterday', 'tag': ['x'] * 6},
                   headers=agent.headers)
    assert bad.status_code == 422 and {'created_after', 'tag'} <= set(bad.get_json()['error']['fields'])


def test_a_page_is_the_same_few_statements_however_long(make, http, agent, app):
    creds = make.client()
    for i in range(12):
        make.ticket(creds, subject=f'Ticket {i}', tags=['vip'])
    _list(http, agent, client=creds.slug)  # the client's id is remembered from the first list on
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, 'before_cursor_execute', count)
    try:
        sizes = {}
        for limit in (2, 12):
            statements.clear()
            page = _list(http, agent, client=creds.slug, tag='vip', limit=limit)
            assert len(page['items']) == limit
            sizes[limit] = len([s for s in statements if s.lstrip().upper().startswith('SELECT')])
    finally:
        sa.event.remove(db.engine, 'before_cursor_execute', count)
    assert sizes[2] == sizes[12] <= 2, sizes  # the caller, the page (and its joins)


def _count_selects(fn):
    statements = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith('SELECT'):
            statements.append(statement)
    sa.event.listen(db.engine, 'before_cursor_execute', count)
    try:
        fn()
    finally:
        sa.event.remove(db.engine, 'before_cursor_execute', count)
    return len(statements)


def test_a_tickets_thread_and_history_come_in_pages(make, http, agent):
    ticket = make.ticket()
    path = f'/api/v1/tickets/{ticket["id"]}'
    for n in range(5):
        assert http.post(f'{path}/messages', json={'kind': 'note' if n % 2 else 'reply', 'body': f'Step {n}'},
                         headers=agent.headers).status_code == 201
    detail = http.get(path, headers=agent.headers).get_json()
    for what in ('messages', 'events'):
        seen, after = [], None
        while True:
            query = {'limit': 2, **({'after': after} if after else {})}
            page = http.get(f'{path}/{what}', query_string=query, headers=agent.headers).get_json()
            seen += page['items']
            after = page['next_cursor']
            if after is None:
                break
        assert seen == detail[what] and len(seen) >= 6  # the same items as the detail, oldest first, once each
    authors = [m['author']['type'] for m in seen_messages(http, path, agent)]
    assert authors == ['customer', 'agent', 'agent', 'agent', 'agent', 'agent']
    few = _count_selects(lambda: http.get(f'{path}/messages?limit=2', headers=agent.headers))
    many = _count_selects(lambda: http.get(f'{path}/messages?limit=6', headers=agent.headers))
    assert few == many  # authors and attachments come with the page, not one load per message


def seen_messages(http, path, agent):
    return http.get(f'{path}/messages', headers=agent.headers).get_json()['items']


def test_pages_of_a_ticket_one_cannot_see_are_404_and_bad_cursors_422(make, http):
    a, b = make.client(), make.client()
    hidden = make.ticket(b)
    serving_a = make.agent(clients=[a.slug])
    for what in ('messages', 'events'):
        assert http.get(f'/api/v1/tickets/{hidden["id"]}/{what}', headers=serving_a.headers).status_code == 404
        for query in ({'after': -1}, {'after': 'x'}, {'limit': 0}, {'limit': 201}):
            response = http.get(f'/api/v1/tickets/{hidden["id"]}/{what}', query_string=query,
                                headers=serving_a.headers)
            assert response.status_code == 422, (what, query)

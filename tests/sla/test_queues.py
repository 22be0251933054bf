"""SLA in the queue: the ticket closest to breaking is served first; lists and dashboards show the risk."""
from datetime import timedelta

from support.core import clock
from support.routing import views

from ..routing.conftest import routing  # noqa: F401  (fixture)
from .conftest import travel

M = 60


def test_the_ticket_closest_to_its_due_time_is_offered_first(sla, make, routing):
    slow, fast = make.client(slug='slow'), make.client(slug='fast')
    sla.policy('slow', targets={'answer': 10 * M})
    sla.policy('fast', targets={'answer': 60})
    travel('2026-11-16 09:00')
    relaxed = sla.ticket(slow, channel='chat')
    clock.advance(timedelta(seconds=20))
    pressing = sla.ticket(fast, channel='chat')  # arrived later, due far sooner
    agent = routing.agent(capacities={'chat': 1})
    assert [o['ticket']['id'] for o in routing.offers(agent)] == [pressing['id']]
    assert routing.item(pressing['id']).due_at < routing.item(relaxed['id']).due_at


def test_a_paused_ticket_waits_behind_the_running_ones(sla, make, routing):
    creds = make.client(slug='acme')
    sla.policy('acme', targets={'first_response': 30 * M, 'resolution': 4 * 3600})
    travel('2026-11-16 09:00')
    parked = sla.ticket(creds, channel='email')
    sla.reply(parked['id'], status='pending')  # a supervisor answers and waits for the customer
    clock.advance(timedelta(minutes=1))
    running = sla.ticket(creds, channel='email')
    assert routing.item(parked['id']).due_at.year == 9999  # every clock stands still
    agent = routing.agent(capacities={'email': 1})
    assigned = [t for t in (parked, running) if sla.read(t['id'])['assignee'] is not None]
    assert [t['id'] for t in assigned] == [running['id']]
    assert agent.id == sla.read(running['id'])['assignee']['id']


def test_the_ticket_list_filters_and_sorts_by_sla(sla, make, http):
    creds = make.client(slug='acme')
    sla.policy('acme', name='Quick', conditions={'priority': ['high']}, targets={'first_response': 10 * M})
    sla.policy('acme', name='Slow', targets={'first_response': 100 * M})
    travel('2026-11-16 09:00')
    slow = sla.ticket(creds, channel='email')
    quick = sla.ticket(creds, channel='email', priority='high')
    none = sla.ticket(make.client(slug='nosla'), channel='email')
    clock.advance(timedelta(minutes=8))  # quick is past its 75 % warning point
    listing = lambda **q: http.get('/api/v1/tickets', query_string=q, headers=sla.boss.headers).get_json()  # noqa: E731
    assert [t['id'] for t in listing(sla='at_risk')['items']] == [quick['id']]
    assert listing(sla='breached')['items'] == []
    by_due = listing(sort='due')['items']
    assert [t['id'] for t in by_due] == [quick['id'], slow['id'], none['id']]
    assert [t['sla_state'] for t in by_due] == ['at_risk', 'active', None]
    first = listing(sort='due', limit=1)
    second = listing(sort='due', limit=1, cursor=first['next_cursor'])
    third = listing(sort='due', limit=1, cursor=second['next_cursor'])
    assert [p['items'][0]['id'] for p in (first, second, third)] == [quick['id'], slow['id'], none['id']]
    assert third['next_cursor'] is None
    clock.advance(timedelta(minutes=3))
    assert [t['id'] for t in listing(sla='breached')['items']] == [quick['id']]
    bad = http.get('/api/v1/tickets', query_string={'sla': 'late', 'sort': 'oldest'}, headers=sla.boss.headers)
    assert bad.status_code == 422 and set(bad.get_json()['error']['fields']) == {'sla', 'sort'}
    bad = http.get('/api/v1/tickets', query_string={'sort': 'due', 'cursor': 'bm9wZQ'}, headers=sla.boss.headers)
    assert bad.status_code == 422


def test_each_queue_shows_its_service_level_and_risk(sla, make, routing, http):
    creds = make.client(slug='acme')
    sla.policy('acme', targets={'answer': 30}, service_level_percent=80)
    agent = routing.agent(capacities={'chat': 5})
    routing.presence(agent, 'away', 'break')
    travel('2026-11-16 09:00')
    tickets = [sla.ticket(creds, channel='chat') for _ in range(5)]
    routing.presence(agent, 'available')
    offers = routing.offers(agent)
    clock.advance(timedelta(seconds=10))
    for offer in offers[:4]:
        http.post(f"/api/v1/routing/offers/{offer['id']}/accept", headers=agent.headers)
    clock.advance(timedelta(seconds=25))  # the fifth waits 35 s: breached
    sla.sweep()
    queue = next(q for q in views.queue_entries() if q['client'] == 'acme')
    assert queue['service_level'] == {'window_seconds': 1800, 'contacts': 5, 'within_target': 4, 'percent': 80.0,
                                      'goal_percent': 80}
    assert queue['sla_breached'] == 1 and len(tickets) == 5
    clock.advance(timedelta(minutes=31))  # the window moves on
    queue = next(q for q in views.queue_entries() if q['client'] == 'acme')
    assert queue['service_level']['contacts'] == 0 and queue['service_level']['percent'] is None

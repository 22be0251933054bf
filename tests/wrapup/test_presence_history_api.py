"""GET /agents/{id}/presence-history: an agent's stretches of presence over an interval, a page at a time."""
from datetime import datetime, timedelta, timezone

from support.core import clock

NINE = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


def _day(routing, http):
    clock.travel_to(NINE, freeze=True)
    agent = routing.agent(presence='available')
    for minutes, status, reason in ((60, 'away', 'break'), (15, 'available', None), (120, 'away', 'lunch'),
                                    (45, 'available', None), (240, 'offline', None)):
        clock.advance(timedelta(minutes=minutes))
        routing.presence(agent, status, reason)
    return agent


def _get(http, login, agent_id, **args):
    query = '&'.join(f'{k}={v}' for k, v in args.items())
    return http.get(f'/api/v1/agents/{agent_id}/presence-history?{query}', headers=login.headers)


def test_stretches_inside_an_interval_with_their_seconds(routing, http):
    agent = _day(routing, http)
    response = _get(http, routing.boss, agent.id, **{'from': '2026-11-02T09:30:00Z', 'to': '2026-11-02T12:00:00Z'})
    assert response.status_code == 200, response.get_json()
    items = response.get_json()['items']
    assert [(i['status'], i['reason'], i['seconds']) for i in items] == [
        ('available', None, 1800), ('away', 'break', 900), ('available', None, 6300)]
    assert items[0]['actor_id'] == agent.id and response.get_json()['next_cursor'] is None


def test_pages_follow_each_other_without_gaps(routing, http):
    agent = _day(routing, http)
    seen, after = [], None
    for _page in range(5):
        args = {'from': '2026-11-02T00:00:00Z', 'to': '2026-11-03T00:00:00Z', 'limit': 2}
        if after:
            args['after'] = after
        page = _get(http, routing.boss, agent.id, **args).get_json()
        seen += page['items']
        after = page['next_cursor']
        if after is None:
            break
    assert [i['status'] for i in seen] == ['available', 'away', 'available', 'away', 'available', 'offline']
    assert all(a['ended_at'] == b['started_at'] for a, b in zip(seen, seen[1:]))


def test_bad_intervals_and_access(routing, http, make):
    agent = _day(routing, http)
    response = _get(http, routing.boss, agent.id, **{'from': '2026-11-03T00:00:00Z', 'to': '2026-11-02T00:00:00Z'})
    assert response.status_code == 422 and 'from' in response.get_json()['error']['fields']
    response = http.get(f'/api/v1/agents/{agent.id}/presence-history?from=2026-11-03T00:00:00Z&to=2026-11-02T00:00:00Z',
                        headers={**routing.boss.headers, 'Accept-Language': 'es'})
    assert response.get_json()['error']['fields']['from'] == ['Debe ser anterior a "to".']
    assert _get(http, routing.boss, agent.id, **{'from': 'yesterday'}).status_code == 422
    assert _get(http, agent, agent.id).status_code == 403
    make.client(slug='acme')
    restricted = make.agent(role='supervisor', clients=['acme'])
    assert _get(http, restricted, agent.id).status_code == 200  # the agent serves every client, acme too
    loner = make.agent(clients=[make.client().slug])
    assert _get(http, restricted, loner.id).status_code == 404

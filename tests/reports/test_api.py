"""Who may read the figures, what a client pulls for itself, and bad input (422 per field, en/es)."""
import time

import pytest

from support.core import clock

from .scripted_day import DAY_END, DAY_START, NOW
from .test_figures import RANGE, boss, day  # noqa: F401  (fixtures)


def _signed_get(http, creds, path, query: str):
    from support.core.signing import sign
    timestamp = int(time.time())
    headers = {'X-Support-Key': creds.key_id, 'X-Support-Timestamp': str(timestamp),
               'X-Support-Signature': sign(creds.secret, timestamp, b'')}
    return http.get(f'{path}?{query}', headers=headers)


def test_an_agent_may_not_read_reports(http, make, day):
    agent = make.agent()
    assert http.get('/api/v1/reports/tickets', query_string=RANGE, headers=agent.headers).status_code == 403
    assert http.get('/api/v1/reports/tickets', query_string=RANGE).status_code == 401


def test_a_supervisor_restricted_to_clients_sees_only_theirs(http, make, day):
    other = make.client(slug='hardware-mx')
    restricted = make.agent(role='supervisor', clients=[other.slug])
    rows = http.get('/api/v1/reports/tickets', query_string=RANGE, headers=restricted.headers).get_json()['rows']
    assert [r['created'] for r in rows] == [0]  # the cable operator's six tickets are not theirs
    refused = http.get('/api/v1/reports/tickets', query_string={**RANGE, 'client': 'cable-us'},
                       headers=restricted.headers)
    assert refused.status_code == 422
    assert refused.get_json()['error']['fields']['client'] == ['No such client: cable-us.']
    agents = http.get('/api/v1/reports/agents', query_string=RANGE, headers=restricted.headers).get_json()['rows']
    # A and B serve every client, so they are listed with their presence, but none of the contacts
    # they handled (the cable operator's) counts here.
    assert sorted((r['agent'], r['handled'], r['available_s']) for r in agents) == [
        ('a@example.com', 0, 55800), ('b@example.com', 0, 21900)]


def test_the_client_pulls_its_own_figures_signed(http, make, day):
    _day, creds = day
    other = make.client(slug='hardware-mx')
    query = f'from={DAY_START.isoformat()}&to={DAY_END.isoformat()}&group=channel'.replace('+', '%2B')
    clock.reset()
    response = _signed_get(http, creds, '/api/v1/intake/reports/tickets', query)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body['timezone'] == 'America/New_York'
    assert {r['channel']: r['created'] for r in body['rows']} == {'chat': 3, 'email': 2, 'phone': 1}
    theirs = _signed_get(http, other, '/api/v1/intake/reports/tickets', query).get_json()
    assert theirs['rows'] == []
    unsigned = http.get(f'/api/v1/intake/reports/tickets?{query}')
    assert unsigned.status_code == 401
    clock.travel_to(NOW, freeze=True)


@pytest.mark.parametrize('args, field, en, es', [
    ({'group': 'client,colour'}, 'group', 'Unknown group field: colour. Give any of: client, language, channel, '
     'site, queue, agent, product, disposition.', 'Campo de agrupación desconocido: colour.'),
    ({'from': '2026-11-02T00:00:00Z', 'to': '2026-11-01T00:00:00Z'}, 'to', '"to" must come after "from".',
     '"to" debe ser posterior a "from".'),
    ({'from': '2025-01-01T00:00:00Z', 'to': '2026-03-01T00:00:00Z'}, 'to', 'The range may be at most 400 days.',
     'El rango puede ser de 400 días como máximo.'),
    ({'interval': '2h'}, 'interval', 'Give one of: 15min, 30min, 1h, 1day, 1month.', 'Indique uno de:'),
    ({'client': 'nobody'}, 'client', 'No such client: nobody.', 'No existe el cliente: nobody.'),
])
def test_bad_input_is_a_422_on_the_field(http, make, boss, args, field, en, es):  # noqa: F811
    for language, message in (('en', en), ('es', es)):
        response = http.get('/api/v1/reports/tickets', query_string={**RANGE, **args},
                            headers={**boss.headers, 'Accept-Language': language})
        assert response.status_code == 422, response.get_json()
        assert response.get_json()['error']['fields'][field][0].startswith(message)


def test_agent_reports_refuse_ticket_only_groups(http, boss):  # noqa: F811
    response = http.get('/api/v1/reports/agents', query_string={**RANGE, 'group': 'channel'}, headers=boss.headers)
    assert response.status_code == 422
    assert 'group' in response.get_json()['error']['fields']


def test_a_year_of_half_hours_streams_as_csv(http, make, boss):  # noqa: F811
    response = http.get('/api/v1/reports/intervals', query_string={
        'from': '2026-01-01T00:00:00Z', 'to': '2026-12-31T00:00:00Z', 'format': 'csv'}, headers=boss.headers)
    assert response.status_code == 200
    assert response.is_streamed
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0].startswith('Interval start,Created')

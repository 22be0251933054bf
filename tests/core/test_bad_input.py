"""Bad input at the edge: nesting, huge numbers and ids past their column are 4xx that name the limit."""
import json

import pytest
import sqlalchemy as sa

from support.core.extensions import db

DEEP = b'[' * 100_000 + b']' * 100_000
HUGE = b'1' * 5000


def _signed_post(http, creds, path, raw: bytes, **headers):
    return http.post(path, data=raw, headers=creds.headers(raw, **headers))


def test_deep_nesting_is_a_400_naming_the_limit_everywhere(make, http):
    agent = make.agent()
    creds = make.client()
    ticket = make.ticket(creds)
    nested_object = b'{"subject": ' + b'{"a": ' * 40 + b'1' + b'}' * 40 + b'}'
    answers = [
        http.post('/api/v1/auth/token', data=DEEP, content_type='application/json'),
        http.post('/api/v1/auth/token', data=nested_object, content_type='application/json'),
        _signed_post(http, creds, '/api/v1/intake/tickets', DEEP),
        http.patch(f"/api/v1/tickets/{ticket['id']}", data=DEEP, content_type='application/json',
                   headers=agent.headers),
    ]
    for response in answers:
        assert response.status_code == 400, response.get_json()
        error = response.get_json()['error']
        assert error['code'] == 'json_too_deep' and '32 levels' in error['message']
    spanish = http.post('/api/v1/auth/token', data=DEEP, content_type='application/json',
                        headers={'Accept-Language': 'es'})
    assert spanish.get_json()['error']['message'] == 'El cuerpo JSON anida más de 32 niveles.'


def test_a_body_just_within_the_depth_limit_is_read(make, http):
    creds = make.client()
    tags = json.loads('[' * 30 + '"x"' + ']' * 30)
    response = _signed_post(http, creds, '/api/v1/intake/tickets',
                            json.dumps({'subject': 'Deep', 'body': 'x', 'channel': 'email', 'tags': tags,
                                        'customer': {'email': 'deep@example.com'}}).encode())
    assert response.status_code == 422  # read, and refused by the schema: tags are strings
    assert 'tags' in response.get_json()['error']['fields']


@pytest.mark.parametrize('number', [HUGE, b'-' + HUGE, b'1' * 25, b'1e400', b'1.' + b'5' * 100])
def test_oversized_numbers_are_a_400(make, http, number):
    agent = make.agent()
    ticket = make.ticket()
    creds = make.client()
    for response in (http.post('/api/v1/auth/token', data=b'{"email": ' + number + b'}',
                               content_type='application/json'),
                     http.patch(f"/api/v1/tickets/{ticket['id']}", data=b'{"priority": ' + number + b'}',
                                content_type='application/json', headers=agent.headers),
                     _signed_post(http, creds, '/api/v1/intake/tickets', b'{"subject": ' + number + b'}')):
        assert response.status_code == 400, response.get_json()
        error = response.get_json()['error']
        assert error['code'] == 'json_number_too_large' and '19 digits' in error['message']


def test_not_json_is_still_invalid_json(http):
    for raw in (b'{"email": NaN}', b'{"a": Infinity}', b'\xff\xfe{', b'{"a": 1'):
        response = http.post('/api/v1/auth/token', data=raw, content_type='application/json')
        assert response.status_code == 400 and response.get_json()['error']['code'] == 'invalid_json', raw


def test_ids_past_their_column_in_bodies_and_query_strings_are_a_422(make, http):
    agent = make.agent(site='Polanco')
    for big in (2 ** 31, 2 ** 63, 10 ** 30):
        bodies = [('/api/v1/lab/holds', {'model_id': big}), ('/api/v1/lab/holds', {'model_id': 1, 'ticket_id': big}),
                  ('/api/v1/lab/reservations', {'unit_id': big, 'starts_at': '2030-01-01T10:00:00Z',
                                                'ends_at': '2030-01-01T11:00:00Z', 'purpose': 'test'}),
                  (f'/api/v1/lab/units/1/checkout', {'ticket_id': big})]
        for path, body in bodies:
            response = http.post(path, json=body, headers=agent.headers)
            assert response.status_code in (400, 404, 422), (path, body, response.get_json())
            if response.status_code == 422:
                assert 'Must be between' in json.dumps(response.get_json()['error']['fields'])
        for path, name in (('/api/v1/lab/checkouts', 'unit_id'), ('/api/v1/lab/checkouts', 'ticket_id'),
                           ('/api/v1/lab/holds', 'model_id'), ('/api/v1/lab/reservations', 'unit_id'),
                           ('/api/v1/lab/units', 'site_id'), ('/api/v1/lab/units', 'model_id')):
            response = http.get(path, query_string={name: str(big)}, headers=agent.headers)
            if name == 'ticket_id' and big < 2 ** 63:
                assert response.status_code in (200, 404), (path, name, big)  # tickets have big ids
            else:
                assert response.status_code == 422, (path, name, big, response.get_json())
                assert name in response.get_json()['error']['fields']


def test_a_forged_cursor_is_a_422(make, http):
    import base64
    agent = make.agent()
    for position in ({'before': 10 ** 30}, {'before': -1}, {'id': 2 ** 63, 'due': None}, {'before': 'x'}):
        cursor = base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip('=')
        for sort in ('-created', 'due'):
            response = http.get('/api/v1/tickets', query_string={'cursor': cursor, 'sort': sort},
                                headers=agent.headers)
            assert response.status_code == 422 and 'cursor' in response.get_json()['error']['fields'], position


def test_path_ids_past_the_column_are_a_404(make, http):
    admin = make.agent(role='admin')
    for path in ('/api/v1/agents/2147483648', f'/api/v1/tickets/{2 ** 63}', f'/api/v1/lab/units/{2 ** 31}',
                 f'/api/v1/routing/offers/{10 ** 20}/accept'):
        method = http.post if path.endswith('accept') else (http.patch if '/agents/' in path else http.get)
        response = method(path, json={}, headers=admin.headers)
        assert response.status_code == 404, (path, response.get_json())


def test_tickets_past_two_to_the_31_work_on_postgresql(app, make, http):
    if db.engine.dialect.name != 'postgresql':
        pytest.skip('SQLite ids are 64-bit already; PostgreSQL columns are what changed to bigint')
    creds = make.client()
    agent = make.agent()
    with db.engine.begin() as conn:
        for table in ('tickets', 'messages', 'ticket_events', 'customers', 'webhook_deliveries'):
            conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 3000000000)"))
    ticket = make.ticket(creds, channel='email')
    assert ticket['id'] > 2 ** 31
    path = f"/api/v1/tickets/{ticket['id']}"
    assert http.patch(path, json={'priority': 'high'}, headers=agent.headers).status_code == 200
    reply = http.post(path + '/messages', json={'kind': 'note', 'body': 'big ids hold'}, headers=agent.headers)
    assert reply.status_code == 201 and reply.get_json()['id'] > 2 ** 31
    detail = http.get(path, headers=agent.headers).get_json()
    assert detail['events'][-1]['id'] > 2 ** 31 and detail['customer']['id'] > 2 ** 31
    raw = b''
    read = http.get(f'/api/v1/intake/tickets/{ticket["id"]}', headers={
        k: v for k, v in creds.headers(raw).items() if k != 'Content-Type'})
    assert read.status_code == 200 and read.get_json()['number'] == ticket['id']

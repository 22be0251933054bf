"""Property-based: every operation of the OpenAPI document, fed hostile values, never answers 5xx.

Hypothesis picks, for each operation, where the hostile values go (a path parameter, each
query parameter, each body property, or the whole body) and which ones: nesting thousands
deep, 2**63 and -2**63-1, a 5,000-digit number, 1e400, NUL characters, invalid UTF-8. Bodies
of signed routes are signed with a real client key, so they reach the parser and the schema
behind the signature check. Runs on SQLite and PostgreSQL (the ``app`` fixture).
"""
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from support import create_app

from .conftest import app_config

# Raw JSON fragments: built as text, since Python cannot even dump some of them.
DEEP = '[' * 5000 + ']' * 5000
HOSTILE_JSON = {
    'deep': DEEP,
    'deep_object': '{"a": ' * 3000 + '1' + '}' * 3000,
    'int64_max_plus_one': str(2 ** 63),
    'int64_min_minus_one': str(-2 ** 63 - 1),
    'int32_max_plus_one': str(2 ** 31),
    'huge_number': '9' * 5000,
    'huge_float': '1e400',
    'nul': json.dumps('a\x00b'),
    'long_text': json.dumps('x' * 100_000),
}
HOSTILE_TEXT = {  # for paths and query strings (bytes: some are not UTF-8)
    'int64_max_plus_one': str(2 ** 63).encode(),
    'huge_number': b'9' * 5000,
    'negative': b'-1',
    'nul': b'%00',
    'invalid_utf8': b'%FF%FE%C3',
    'deep_brackets': b'%5B' * 500,
}
EXAMPLES = int(os.environ.get('SUPPORT_FUZZ_EXAMPLES', '8'))


def _operations():
    app = create_app(app_config('sqlite', SQLALCHEMY_DATABASE_URI='sqlite://'))
    spec = app.test_client().get('/api/v1/openapi.json').get_json()
    found = []
    for path, operations in spec['paths'].items():
        for method, operation in operations.items():
            if method in ('get', 'post', 'put', 'patch', 'delete'):
                found.append((method.upper(), path, operation))
    return sorted(found, key=lambda o: (o[1], o[0]))


OPERATIONS = _operations()


@pytest.fixture
def world(app, make):
    admin = make.agent(role='admin', languages=['en', 'es'])
    creds = make.client(slug='acme')
    ticket = make.ticket(creds)
    return {'admin': admin, 'creds': creds, 'ticket': ticket}


def _placements(operation: dict) -> list[str]:
    names = [f"{p['in']}:{p['name']}" for p in operation.get('parameters', []) if p['in'] in ('path', 'query')]
    body = operation.get('requestBody', {}).get('content', {}).get('application/json', {}).get('schema')
    if body is not None:
        names.append('body')
        names += [f'body:{name}' for name in _properties(body)]
    return names


def _properties(schema: dict) -> list[str]:
    return sorted((schema.get('properties') or {}).keys())


def _valid_path_value(name: str, world) -> bytes:
    known = {'slug': b'acme', 'ticket_id': str(world['ticket']['id']).encode()}
    return known.get(name, b'1')


def _build(method, path, operation, world, hostile: dict):
    """``(url, query bytes, body bytes or None)`` with the chosen hostile values put in place."""
    url = path
    for parameter in operation.get('parameters', []):
        if parameter['in'] == 'path':
            value = hostile.get(f"path:{parameter['name']}")
            text = HOSTILE_TEXT[value] if value else _valid_path_value(parameter['name'], world)
            url = url.replace('{' + parameter['name'] + '}', text.decode('latin-1'))
    query = b'&'.join(parameter['name'].encode() + b'=' + HOSTILE_TEXT[hostile[f"query:{parameter['name']}"]]
                      for parameter in operation.get('parameters', [])
                      if parameter['in'] == 'query' and f"query:{parameter['name']}" in hostile)
    body = None
    if 'body' in hostile:
        body = HOSTILE_JSON[hostile['body']].encode()
    elif any(key.startswith('body:') for key in hostile):
        pairs = [f'{json.dumps(key[5:])}: {HOSTILE_JSON[value]}' for key, value in hostile.items()
                 if key.startswith('body:')]
        body = ('{' + ', '.join(pairs) + '}').encode()
    elif 'requestBody' in operation:
        body = b'{}'
    if hostile.get('invalid_utf8_body') and body is not None:
        body = body[:-1] + b', "x": "\xff\xfe"}' if body.endswith(b'}') else body + b'\xff'
    return url, query, body


def _headers(operation, world, body: bytes | None) -> dict:
    headers = {'Content-Type': 'application/json'} if body is not None else {}
    security = {name for requirement in operation.get('security', []) for name in requirement}
    if 'clientSignature' in security:
        return {**headers, **world['creds'].headers(body or b'')}
    if security & {'bearerAuth', 'consoleSession'}:
        return {**headers, **world['admin'].headers}
    return headers


@st.composite
def hostile_choices(draw, operation):
    placements = _placements(operation)
    chosen = {}
    for place in draw(st.lists(st.sampled_from(placements), min_size=1, unique=True)) if placements else []:
        pool = HOSTILE_JSON if place.startswith('body') else HOSTILE_TEXT
        chosen[place] = draw(st.sampled_from(sorted(pool)))
    if 'body' in chosen:
        chosen = {key: value for key, value in chosen.items() if not key.startswith('body:')}
    chosen['invalid_utf8_body'] = draw(st.booleans())
    return chosen


@pytest.mark.parametrize('method,path,operation', OPERATIONS, ids=[f'{m} {p}' for m, p, _o in OPERATIONS])
def test_hostile_values_never_cause_a_server_error(app, world, method, path, operation):
    http = app.test_client()

    @settings(max_examples=EXAMPLES, derandomize=not os.environ.get('SUPPORT_FUZZ_RANDOM'), deadline=None,
              suppress_health_check=list(HealthCheck), database=None)
    @given(hostile=hostile_choices(operation))
    def check(hostile):
        url, query, body = _build(method, path, operation, world, hostile)
        target = url + ('?' + query.decode('latin-1') if query else '')
        response = http.open(target, method=method, data=body, headers=_headers(operation, world, body))
        assert response.status_code < 500, (method, url, query[:200], (body or b'')[:200], response.data[:500])

    check()


def test_every_operation_is_covered():
    assert len(OPERATIONS) > 80
    assert {path for _m, path, _o in OPERATIONS} >= {'/api/v1/auth/token', '/api/v1/intake/tickets',
                                                    '/api/v1/tickets/{ticket_id}', '/api/v1/lab/holds'}


# Full-text search: what people (and scripts) type into a search box --------------------------
SEARCH_SOUP = ['!!&|(', ':*', '"unbalanced', 'modem" "', "'", '\\', '&&', 'a & | b', '!(modem', 'modem:*',
               '<->', 'modem <-> router', '((((', 'OR OR OR', '-', '*', '%_', "o'brien", 'DROP TABLE tickets;--',
               'ñ' * 300, 'módem ' * 16, 'x ' * 17]


@pytest.mark.parametrize('url', ['/api/v1/search', '/api/v1/tickets'])
def test_search_operator_soup_is_read_sensibly(app, world, url):
    http = app.test_client()
    for text in SEARCH_SOUP:
        response = http.get(url, query_string={'q': text}, headers=world['admin'].headers)
        assert response.status_code in (200, 422), (text, response.data[:300])
        if response.status_code == 422:
            assert response.get_json()['error']['fields']['q'], text


def test_search_says_why_in_english_or_spanish(app, world):
    http = app.test_client()
    cases = {'!!&|(': ('The search has no words to look for.', 'La búsqueda no tiene palabras que buscar.'),
             '-modem': ('Give at least one word to find, not only words to leave out.',
                        'Indique al menos una palabra que buscar, no solo palabras que excluir.'),
             'x ' * 17: ('At most 16 words or phrases in a search.',
                         'Como máximo 16 palabras o frases en una búsqueda.'),
             'a' * 10_000: ('Length must be between 1 and 500.', 'La longitud debe estar entre 1 y 500.')}
    for text, messages in cases.items():
        for language, message in zip(('en', 'es'), messages):
            response = http.get('/api/v1/search', query_string={'q': text},
                                headers={**world['admin'].headers, 'Accept-Language': language})
            assert response.status_code == 422, text
            assert response.get_json()['error']['fields']['q'] == [message], (text, language)
    found = http.get('/api/v1/search', query_string={'q': '"modem'}, headers=world['admin'].headers)
    assert found.status_code == 200 and found.get_json()['items'][0]['ticket']['id'] == world['ticket']['id']

"""Headers a cache or a client relies on, and an OpenAPI document that says how to sign."""
import json

import pytest

from support.core.extensions import limiter

SIGNED = {'clientKey': [], 'clientTimestamp': [], 'clientSignature': []}
METHODS = ('get', 'post', 'put', 'patch', 'delete')


def _operations(path_item: dict) -> list:
    return [op for method, op in path_item.items() if method in METHODS]


def test_a_translated_error_says_its_language_and_that_it_varies(http):
    spanish = http.get('/api/v1/tickets', headers={'Accept-Language': 'es'})
    assert spanish.status_code == 401
    assert spanish.get_json()['error']['message'].startswith('Inicia sesión')
    assert spanish.headers['Content-Language'] == 'es' and 'Accept-Language' in spanish.vary
    english = http.get('/api/v1/tickets', headers={'Accept-Language': 'en-US'})
    assert english.headers['Content-Language'] == 'en' and 'Accept-Language' in english.vary


def test_a_validation_error_in_spanish(http, make):
    creds = make.client()
    response = make.post_ticket(creds, headers={'Accept-Language': 'es-MX'}, subject='')
    assert response.status_code == 422
    assert response.headers['Content-Language'] == 'es' and 'Accept-Language' in response.vary


def test_a_console_page_in_the_language_asked_for(http):
    page = http.get('/login', headers={'Accept-Language': 'es'})
    assert page.status_code == 200 and page.headers['Content-Language'] == 'es' and 'Accept-Language' in page.vary


def test_an_answer_with_nothing_translated_claims_no_language(http):
    response = http.get('/api/v1/health/live', headers={'Accept-Language': 'es'})
    assert 'Content-Language' not in response.headers and 'Accept-Language' not in response.vary


def test_rate_limit_headers_on_success_and_retry_after_only_on_429(app, make, monkeypatch):
    monkeypatch.setitem(app.config, 'SUPPORT_INTAKE_RATE_LIMIT', '2/minute')
    limiter.reset()
    creds = make.client()
    first = make.post_ticket(creds)
    assert first.status_code == 201
    assert first.headers['X-RateLimit-Limit'] == '2' and first.headers['X-RateLimit-Remaining'] == '1'
    assert 'X-RateLimit-Reset' in first.headers and 'Retry-After' not in first.headers
    assert make.post_ticket(creds).status_code == 201
    refused = make.post_ticket(creds)
    assert refused.status_code == 429 and int(refused.headers['Retry-After']) >= 0
    assert refused.headers['X-RateLimit-Remaining'] == '0'


@pytest.fixture
def document(http):
    response = http.get('/api/v1/openapi.json')
    return response.get_data(as_text=True), response.get_json()


def test_no_restructuredtext_in_the_document(document):
    text, _spec = document
    assert '``' not in text and ':func:`' not in text and ':class:`' not in text


def test_the_client_signature_is_three_headers_in_one_requirement(document):
    _text, spec = document
    schemes = spec['components']['securitySchemes']
    assert {name: (schemes[name]['type'], schemes[name]['in'], schemes[name]['name']) for name in SIGNED} == {
        'clientKey': ('apiKey', 'header', 'X-Support-Key'),
        'clientTimestamp': ('apiKey', 'header', 'X-Support-Timestamp'),
        'clientSignature': ('apiKey', 'header', 'X-Support-Signature')}
    assert schemes['bearerAuth']['scheme'] == 'bearer'
    intake = {path: ops for path, ops in spec['paths'].items() if path.startswith('/api/v1/intake')}
    assert intake and all(op['security'] == [SIGNED] for ops in intake.values() for op in _operations(ops))
    for path in ('/api/v1/channels/chat/messages', '/api/v1/channels/phone/events'):
        assert all(op['security'] == [SIGNED] for op in _operations(spec['paths'][path])), path
    agent_ops = spec['paths']['/api/v1/tickets']['get']
    assert agent_ops['security'] == [{'bearerAuth': []}, {'consoleSession': []}]


def test_the_swagger_page_loads_the_document_with_both_schemes(http):
    page = http.get('/api/v1/docs')
    assert page.status_code == 200 and 'openapi.json' in page.get_data(as_text=True)
    spec = json.loads(http.get('/api/v1/openapi.json').data)
    assert {'bearerAuth', 'clientKey', 'clientTimestamp', 'clientSignature'} <= set(spec['components']['securitySchemes'])

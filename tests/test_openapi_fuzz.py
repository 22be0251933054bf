"""Property-based fuzzing of every documented operation (schemathesis).

No input may cause a 5xx, and every response must match the status codes, content
types and schemas the OpenAPI document declares. The examples are derandomized so CI
is repeatable; run with ``SUPPORT_FUZZ_RANDOM=1`` (and more examples) to hunt further.
"""
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)


@pytest.fixture
def api_schema(app, make):
    app.extensions['fuzz_admin'] = make.agent(role='admin', languages=['en', 'es'])
    make.ticket()
    return schemathesis.openapi.from_wsgi('/api/v1/openapi.json', app)


schema = schemathesis.pytest.from_fixture('api_schema')


@schema.parametrize()
@pytest.mark.timeout(900)  # every operation of the document in one test: more than the suite's 300 s per test
@settings(max_examples=int(os.environ.get('SUPPORT_FUZZ_EXAMPLES', '20')),
          derandomize=not os.environ.get('SUPPORT_FUZZ_RANDOM'), deadline=None,
          suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_responses_match_the_document(case, app):
    admin = app.extensions['fuzz_admin']
    case.call_and_validate(headers=admin.headers, checks=[not_a_server_error, status_code_conformance,
                                                          content_type_conformance, response_schema_conformance])

"""Property-based fuzzing of every documented operation (schemathesis).

No input may cause a 5xx, and every response must match the status codes, content
types and schemas the OpenAPI document declares. The examples are derandomized so CI
is repeatable; run with ``SUPPORT_FUZZ_RANDOM=1`` (and more examples) to hunt further.

The operations are split over the ``test_*.py`` files of this folder by their first path
segment, so pytest-xdist (which keeps a file on one worker) spreads them; the last file takes
every operation the others do not name, so a new area is fuzzed without editing anything.
"""
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

# First path segments after /api/v1/, per file; test_rest.py takes the others.
GROUPS = {
    'clients': ('clients', 'agents', 'sites'),
    'lab_auth': ('lab', 'auth', 'calendars', 'audit', 'health'),
    'intake': ('intake', 'channels', 'reports', 'csat', 'search'),
}


def _regex(segments) -> str:
    return r'^/api/v1/(%s)(/|$)' % '|'.join(segments)


def lazy_schema(group: str | None):
    """The fixture's schema narrowed to ``group``'s segments (``None``: every segment of no group)."""
    schema = schemathesis.pytest.from_fixture('api_schema')
    if group is None:
        return schema.exclude(path_regex=_regex([s for segments in GROUPS.values() for s in segments]))
    return schema.include(path_regex=_regex(GROUPS[group]))


def fuzz_test(schema):
    """The test, for one narrowed schema: every example of every operation, as an admin."""
    @schema.parametrize()
    @pytest.mark.timeout(900)  # all of a group's operations run inside one test item
    @settings(max_examples=int(os.environ.get('SUPPORT_FUZZ_EXAMPLES', '20')),
              derandomize=not os.environ.get('SUPPORT_FUZZ_RANDOM'), deadline=None,
              suppress_health_check=list(HealthCheck))
    def test_no_server_errors_and_responses_match_the_document(case, app):
        admin = app.extensions['fuzz_admin']
        case.call_and_validate(headers=admin.headers, checks=[not_a_server_error, status_code_conformance,
                                                              content_type_conformance, response_schema_conformance])
    return test_no_server_errors_and_responses_match_the_document

"""Fuzzing of intake, channels, reports, CSAT and search (see common.py)."""
from .common import fuzz_test, lazy_schema

schema = lazy_schema('intake')
test_no_server_errors_and_responses_match_the_document = fuzz_test(schema)

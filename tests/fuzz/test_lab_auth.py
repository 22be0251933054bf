"""Fuzzing of the lab, sign-in, calendars, audit and health (see common.py)."""
from .common import fuzz_test, lazy_schema

schema = lazy_schema('lab_auth')
test_no_server_errors_and_responses_match_the_document = fuzz_test(schema)

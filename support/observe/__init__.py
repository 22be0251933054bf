"""Observability on top of the domains: the ``/metrics`` endpoint, the series that count
committed facts (signals → after commit) and the figures read at scrape time. See docs/operations.md."""

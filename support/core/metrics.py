"""Prometheus series (``prometheus_client``): their names and labels, the per-request ones, and
the text a scrape answers. Domains count through the series here; the figures read from the
database at scrape time are collectors registered with :func:`add_collector`.

With ``PROMETHEUS_MULTIPROC_DIR`` set (gunicorn with several workers, the job worker beside
them), every process writes its series to files in that directory and a scrape of any process
adds them all up (``prometheus_client``'s multiprocess mode). The variable must be set before
the process starts. See docs/operations.md.
"""
import os
import time

from flask import g, request
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import CONTENT_TYPE_LATEST  # noqa: F401  (the /metrics answer's type)
from prometheus_client import disable_created_metrics

disable_created_metrics()  # no ``*_created`` twin of every series: Prometheus does not need them

REGISTRY = CollectorRegistry(auto_describe=True)
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
_LAG_BUCKETS = (0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 900, 3600)

HTTP_REQUESTS = Counter('support_http_requests', 'HTTP requests answered, by route (URL rule), method and status.',
                        ('route', 'method', 'status'), registry=REGISTRY)
HTTP_LATENCY = Histogram('support_http_request_duration_seconds', 'Time to answer an HTTP request.',
                         ('route', 'method', 'status'), buckets=_LATENCY_BUCKETS, registry=REGISTRY)
INTAKE = Counter('support_intake_messages', 'Inbound messages committed, by client, channel and whether they '
                 'opened a ticket.', ('client', 'channel', 'kind'), registry=REGISTRY)
OFFERS = Counter('support_offers', 'Offers by outcome (created, accepted, declined, expired, cancelled).',
                 ('outcome', 'channel'), registry=REGISTRY)
JOBS_ENQUEUED = Counter('support_jobs_enqueued', 'Jobs enqueued, by job name.', ('job',), registry=REGISTRY)
JOBS_COMPLETED = Counter('support_jobs_completed', 'Job runs that finished, by job name.', ('job',),
                         registry=REGISTRY)
JOBS_FAILED = Counter('support_jobs_failed', 'Job runs that raised, by job name (a retried job counts each time).',
                      ('job',), registry=REGISTRY)
JOB_LAG = Histogram('support_job_lag_seconds', 'From the time a job was due (enqueued, or its eta) to its start.',
                    ('job',), buckets=_LAG_BUCKETS, registry=REGISTRY)
OUTBOUND = Counter('support_outbound_deliveries', 'Send attempts of replies, acknowledgements and client '
                   'callbacks, by kind (reply, webhook), transport and result (sent, retry, failed).',
                   ('kind', 'transport', 'result'), registry=REGISTRY)
SLA_WARNINGS = Counter('support_sla_warnings', 'SLA clocks that passed their warning point, by client and metric.',
                       ('client', 'metric'), registry=REGISTRY)
SLA_BREACHES = Counter('support_sla_breaches', 'SLA clocks that passed their due time, by client and metric.',
                       ('client', 'metric'), registry=REGISTRY)

_collectors: list = []


def add_collector(collector) -> None:
    """A collector whose ``collect()`` is asked at each scrape (figures read from the database)."""
    if all(type(c) is not type(collector) for c in _collectors):
        _collectors.append(collector)


def multiprocess_dir() -> str | None:
    return os.environ.get('PROMETHEUS_MULTIPROC_DIR') or None


def render() -> bytes:
    """The Prometheus text of every series: this process's, or every process's in multiprocess mode."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_dir():
        from prometheus_client import multiprocess
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_Delegate(REGISTRY))
    for collector in _collectors:
        registry.register(collector)
    return generate_latest(registry)


class _Delegate:
    def __init__(self, registry):
        self.registry = registry

    def collect(self):
        return self.registry.collect()


def mark_process_dead(pid: int) -> None:
    """gunicorn's ``child_exit``: drop the live-gauge files of a worker that exited."""
    if multiprocess_dir():
        from prometheus_client import multiprocess
        multiprocess.mark_process_dead(pid)


def instrument(app) -> None:
    """Count every answer and its duration by route (the URL rule, not the raw path)."""
    @app.before_request
    def _metrics_clock():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _metrics_count(response):
        started = g.pop('metrics_started', None)
        route = request.url_rule.rule if request.url_rule is not None else 'unmatched'
        labels = (route, request.method, str(response.status_code))
        HTTP_REQUESTS.labels(*labels).inc()
        if started is not None:
            HTTP_LATENCY.labels(*labels).observe(time.perf_counter() - started)
        return response

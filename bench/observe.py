"""What observability costs per request: the request id, the metrics, the JSON log line and the
language headers, against the same app with those hooks taken out, in the same run. In-process
(Flask's test client, SQLite in a scratch directory); also the time of one /metrics scrape.

    .venv/bin/python bench/observe.py [--requests 3000]
"""
import argparse
import io
import logging
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault('SUPPORT_INSTANCE_PATH', tempfile.mkdtemp(prefix='support-bench-observe-'))
os.environ.setdefault('SUPPORT_JOBS', 'memory')

from support import create_app  # noqa: E402
from support.core import logs  # noqa: E402
from support.core.extensions import db  # noqa: E402

OBSERVING = {'_take_request_id', '_echo_request_id', '_metrics_clock', '_metrics_count', '_start_clock',
             '_log_answer', '_no_language_yet', '_language_headers'}
PATHS = {'liveness (nothing translated)': '/api/v1/health/live',
         '401 (translated error)': '/api/v1/tickets'}


def _app(observed: bool):
    app = create_app({'TESTING': True, 'SUPPORT_METRICS_TOKEN': 'bench'})
    with app.app_context():
        db.create_all()
    if not observed:
        for hooks in (app.before_request_funcs, app.after_request_funcs):
            hooks[None] = [f for f in hooks[None] if getattr(f, '__name__', None) not in OBSERVING]
    return app


def _per_request_us(app, path: str, count: int) -> float:
    client = app.test_client()
    for _ in range(50):
        client.get(path)
    started = time.perf_counter()
    for _ in range(count):
        client.get(path)
    return (time.perf_counter() - started) / count * 1e6


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--requests', type=int, default=3000)
    count = parser.parse_args().requests
    handler = logs.make_handler(io.StringIO(), 'json')  # the JSON line is written, to memory
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)
    bare, observed = _app(False), _app(True)
    print(f'{count} requests each, µs per request (in-process test client)')
    for name, path in PATHS.items():
        base, full = _per_request_us(bare, path, count), _per_request_us(observed, path, count)
        print(f'  {name:32s} without {base:8.1f}   with {full:8.1f}   ratio {full / base:5.2f}')
    client = observed.test_client()
    started = time.perf_counter()
    for _ in range(50):
        client.get('/metrics', headers={'Authorization': 'Bearer bench'})
    print(f'  one /metrics scrape: {(time.perf_counter() - started) / 50 * 1000:.2f} ms')


if __name__ == '__main__':
    main()

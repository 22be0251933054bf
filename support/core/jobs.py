"""The task queue (Huey): SQLite-backed in one process by default, Redis in production.

Timers live in the database as timestamps; jobs only sweep them, so a lost or
repeated job changes nothing wrong. ``flask --app wsgi support worker`` runs a
consumer in its own process; the embedded default runs one inside the server.
"""
import logging
import os
import time
import uuid
from datetime import timezone

from huey import MemoryHuey, RedisHuey, SqliteHuey, signals
from huey.api import Task

from . import metrics, requestid
from .config import redis_prefix

log = logging.getLogger(__name__)
# A job's id carries the request that enqueued it and when: ``<uuid>~<request id>~<unix ms>``
# (Huey keeps the id through the queue and retries, and has no other place for metadata).
_SEP = '~'


class _Traced:
    """Jobs carry the request id (and their enqueue time) and run with it current, so the
    worker's log lines and the calls the job makes name the request that caused them."""

    def enqueue(self, task):
        if isinstance(task, Task) and _SEP not in task.id:  # a first enqueue (not a retry or a due eta job)
            task.id = _SEP.join((uuid.uuid4().hex, requestid.current() or '', str(int(time.time() * 1000))))
            task.revoke_id = f'r:{task.id}'
            metrics.JOBS_ENQUEUED.labels(task.name).inc()
        return super().enqueue(task)

    def execute(self, task, timestamp=None):
        token = requestid.bind(job_request_id(task))
        try:
            return super().execute(task, timestamp)
        finally:
            requestid.unbind(token)


def job_request_id(task) -> str | None:
    """The request id a job was enqueued with (None for periodic jobs and jobs enqueued outside requests)."""
    parts = str(task.id).split(_SEP)
    return parts[1] or None if len(parts) == 3 else None


def _enqueued_at(task) -> float | None:
    parts = str(task.id).split(_SEP)
    return int(parts[2]) / 1000 if len(parts) == 3 and parts[2].isdigit() else None


def _make_huey():
    kind = os.environ.get('SUPPORT_JOBS') or ('redis' if os.environ.get('SUPPORT_REDIS_URL') else 'sqlite')
    if kind == 'redis':
        return _traced(RedisHuey)(redis_prefix() + 'support',
                                  url=os.environ['SUPPORT_REDIS_URL'], utc=True)
    if kind == 'memory':
        return _traced(MemoryHuey)('support', utc=True)
    instance = os.environ.get('SUPPORT_INSTANCE_PATH') or _default_instance_path()
    os.makedirs(instance, exist_ok=True)
    return _traced(SqliteHuey)('support', filename=os.path.join(instance, 'jobs.sqlite'), utc=True)


def _traced(huey_class):
    return type(huey_class.__name__, (_Traced, huey_class), {})


def _default_instance_path() -> str:
    """Flask's own default for this package: ``instance/`` in a checkout, ``<prefix>/var/support-instance``
    for an install, so the job queue sits beside the SQLite database."""
    from flask.sansio.scaffold import find_package
    prefix, package_path = find_package('support')
    return os.path.join(package_path, 'instance') if prefix is None else os.path.join(prefix, 'var', 'support-instance')


huey = _make_huey()
_flask_app = None


@huey.signal(signals.SIGNAL_EXECUTING)
def _measure_lag(signal, task, *args):
    due = _enqueued_at(task)
    if task.eta is not None:
        eta = task.eta.replace(tzinfo=timezone.utc) if task.eta.tzinfo is None else task.eta
        due = max(due or 0, eta.timestamp())
    if due is not None:
        metrics.JOB_LAG.labels(task.name).observe(max(0.0, time.time() - due))


@huey.signal(signals.SIGNAL_COMPLETE)
def _count_completed(signal, task, *args):
    metrics.JOBS_COMPLETED.labels(task.name).inc()


@huey.signal(signals.SIGNAL_ERROR)
def _count_failed(signal, task, *args):
    metrics.JOBS_FAILED.labels(task.name).inc()


def pending() -> int | None:
    """How many jobs wait in the queue (None when the broker cannot tell)."""
    try:
        return huey.pending_count()
    except Exception:  # a broken broker is the readiness check's to report; a scrape must still answer
        log.warning('could not count pending jobs', exc_info=True)
        return None


def bind_app(app) -> None:
    """Jobs run inside this app's context (one app per process)."""
    global _flask_app
    _flask_app = app


def in_app_context(fn):
    """Wrap a job body so it runs with an app context (and so a database session) it may use.

    A consumer thread gets the bound app's context. A job Huey runs immediately (tests) runs in
    the caller's context, unless the caller is an after-commit hook: the session that just
    committed cannot be used there, so the job gets a context (and session) of its own.
    """
    import functools

    from flask import current_app, has_app_context

    from .transactions import in_after_commit

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if has_app_context() and not in_after_commit():
            return fn(*args, **kwargs)
        app = current_app._get_current_object() if has_app_context() else _flask_app
        with app.app_context():
            return fn(*args, **kwargs)
    return wrapper


def enqueue(name: str, *args, eta=None) -> None:
    """Run the job registered as ``name`` (``@huey.task(name=...)``) with ``args``, at ``eta`` if given.

    Domains schedule their own jobs by name, so operations need not import their tasks
    module. With Huey immediate (tests) the job runs now, in its own app context and
    database session; a job with an ``eta`` is skipped there: tests move the clock and
    run the sweep instead.
    """
    if huey.immediate and eta is not None:
        return
    task_class = _task_named(name)
    if eta is not None:
        from datetime import timedelta, timezone
        # Huey drops microseconds: round up, or the job runs a moment early and finds nothing due.
        eta = eta.astimezone(timezone.utc).replace(tzinfo=None, microsecond=0) + timedelta(seconds=1)
    huey.enqueue(task_class(args=args, eta=eta))


def _task_named(name: str):
    """The task class registered with ``name=`` (Huey keys its registry by module and name)."""
    for task_class in huey._registry._registry.values():
        if task_class.__name__ == name:
            return task_class
    raise LookupError(f'no job named {name!r} is registered')


def start_embedded_consumer(workers: int = 4, worker_type: str = 'thread'):
    """Run a Huey consumer in threads (or greenlets, under gevent) of this process (the embedded default)."""
    import threading
    consumer = huey.create_consumer(workers=workers, worker_type=worker_type, periodic=True,
                                    check_worker_health=False)
    thread = threading.Thread(target=consumer.run, name='huey-consumer', daemon=True)
    # Huey's consumer installs signal handlers; only the main thread may, so skip them
    consumer._set_signal_handlers = lambda: None
    thread.start()
    return consumer

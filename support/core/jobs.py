"""The task queue (Huey): SQLite-backed in one process by default, Redis in production.

Timers live in the database as timestamps; jobs only sweep them, so a lost or
repeated job changes nothing wrong. ``flask --app wsgi support worker`` runs a
consumer in its own process; the embedded default runs one inside the server.
"""
import os

from huey import MemoryHuey, RedisHuey, SqliteHuey


def _make_huey():
    kind = os.environ.get('SUPPORT_JOBS') or ('redis' if os.environ.get('SUPPORT_REDIS_URL') else 'sqlite')
    if kind == 'redis':
        return RedisHuey('support', url=os.environ['SUPPORT_REDIS_URL'], utc=True)
    if kind == 'memory':
        return MemoryHuey('support', utc=True)
    instance = os.environ.get('SUPPORT_INSTANCE_PATH') or os.path.join(
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'instance')
    os.makedirs(instance, exist_ok=True)
    return SqliteHuey('support', filename=os.path.join(instance, 'jobs.sqlite'), utc=True)


huey = _make_huey()
_flask_app = None


def bind_app(app) -> None:
    """Jobs run inside this app's context (one app per process)."""
    global _flask_app
    _flask_app = app


def in_app_context(fn):
    """Wrap a job body so it runs with the Flask app context pushed."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with _flask_app.app_context():
            return fn(*args, **kwargs)
    return wrapper


def start_embedded_consumer(workers: int = 4):
    """Run a Huey consumer in threads of this process (the embedded default)."""
    import threading
    consumer = huey.create_consumer(workers=workers, worker_type='thread', periodic=True,
                                    check_worker_health=False)
    thread = threading.Thread(target=consumer.run, name='huey-consumer', daemon=True)
    # Huey's consumer installs signal handlers; only the main thread may, so skip them
    consumer._set_signal_handlers = lambda: None
    thread.start()
    return consumer

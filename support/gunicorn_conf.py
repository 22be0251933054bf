"""Production server settings: ``gunicorn -c python:support.gunicorn_conf support.wsgi:app``.

gevent workers by default (Flask-SocketIO's recommended async mode under gunicorn; one core
each); ``SUPPORT_WORKER_CLASS=gthread`` runs threads instead (what ``support serve`` picks on
SQLite, whose blocking calls would stall a gevent loop). WebSockets work with both
(simple-websocket). Several processes share live events through Redis (SUPPORT_REDIS_URL):
run one gunicorn per port behind a load balancer with sticky sessions, or several workers
here when clients use the WebSocket transport only. See docs/deploy.md.

The master refuses to start with the development secret key (``SUPPORT_SECRET_KEY``).
"""
import os

bind = os.environ.get('SUPPORT_BIND', '127.0.0.1:8000')
workers = int(os.environ.get('SUPPORT_WORKERS', '1'))
worker_class = os.environ.get('SUPPORT_WORKER_CLASS', 'gevent')
threads = int(os.environ.get('SUPPORT_THREADS', '64'))  # gthread only: one per open connection
worker_connections = int(os.environ.get('SUPPORT_WORKER_CONNECTIONS', '1000'))
control_socket_disable = True  # gunicorn 27 would write under ~/.gunicorn otherwise
accesslog = os.environ.get('SUPPORT_ACCESS_LOG') or None
timeout = 60
graceful_timeout = int(os.environ.get('SUPPORT_GRACEFUL_TIMEOUT', '20'))
raw_env = [f'SUPPORT_ASYNC_MODE={"gevent" if worker_class == "gevent" else "threading"}']


def on_starting(server):
    """Refuse a production start with the development secret key, before any worker forks."""
    from support.core.config import development_secret_problem
    debug = os.environ.get('FLASK_DEBUG', '').lower() in ('1', 'true', 'yes', 'on')
    problem = development_secret_problem(os.environ.get('SUPPORT_SECRET_KEY'), debug=debug)
    if problem:
        raise SystemExit(problem)


def post_worker_init(worker):
    """Build the language detector before the first request; run the jobs here when asked."""
    from support.tickets.language import detector
    detector()
    if os.environ.get('SUPPORT_EMBEDDED_JOBS') == '1':
        from support.core import jobs
        jobs.start_embedded_consumer(worker_type='greenlet' if worker_class == 'gevent' else 'thread')


def child_exit(server, worker):
    """A worker exited: in multiprocess metrics mode (PROMETHEUS_MULTIPROC_DIR), drop its live files."""
    from support.core.metrics import mark_process_dead
    mark_process_dead(worker.pid)

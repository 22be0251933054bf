"""Production server: ``gunicorn -c gunicorn.conf.py wsgi:app``.

gevent workers (Flask-SocketIO's recommended async mode under gunicorn; one core
each). Several processes share live events through Redis (SUPPORT_REDIS_URL): run
one gunicorn per port behind a load balancer with sticky sessions, or several
workers here when clients use the WebSocket transport only.
"""
import os

bind = os.environ.get('SUPPORT_BIND', '127.0.0.1:8000')
workers = int(os.environ.get('SUPPORT_WORKERS', '1'))
worker_class = 'gevent'
worker_connections = int(os.environ.get('SUPPORT_WORKER_CONNECTIONS', '1000'))
control_socket_disable = True  # gunicorn 27 would write under ~/.gunicorn otherwise
accesslog = os.environ.get('SUPPORT_ACCESS_LOG') or None
timeout = 60
graceful_timeout = 20
raw_env = ['SUPPORT_ASYNC_MODE=gevent']


def post_worker_init(worker):
    """Build the language detector before the first request, not during it."""
    from support.tickets.language import detector
    detector()

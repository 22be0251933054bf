"""``support serve``: gunicorn (gevent or threads, WebSockets included) for this install.

The embedded default is one process: gunicorn's master and one worker that also runs the
job consumer (``--no-jobs`` when ``support worker`` runs beside it). On PostgreSQL the worker
is gevent's (thousands of connections on one core); on SQLite it is gthread, because
SQLite's blocking calls (and its busy wait on a locked database) would stall a gevent loop.
"""
import importlib.util
import os
import sys


def default_worker_class(database_url: str) -> str:
    gevent = importlib.util.find_spec('gevent') is not None
    return 'gevent' if gevent and not database_url.startswith('sqlite') else 'gthread'


def gunicorn_command(host: str, port: int, worker_class: str, threads: int, jobs: bool) -> tuple[list, dict]:
    """The argv and environment that run gunicorn with ``support.gunicorn_conf``."""
    env = dict(os.environ, SUPPORT_BIND=f'{_bracketed(host)}:{port}', SUPPORT_WORKERS='1',
               SUPPORT_WORKER_CLASS=worker_class, SUPPORT_THREADS=str(threads),
               SUPPORT_EMBEDDED_JOBS='1' if jobs else '0')
    env.setdefault('SUPPORT_GRACEFUL_TIMEOUT', '5')
    env.pop('FLASK_RUN_FROM_CLI', None)
    argv = [sys.executable, '-m', 'gunicorn', '-c', 'python:support.gunicorn_conf', 'support.wsgi:app']
    return argv, env


def _bracketed(host: str) -> str:
    return f'[{host}]' if ':' in host and not host.startswith('[') else host

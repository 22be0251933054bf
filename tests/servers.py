"""Real servers for tests: the app in a thread (Socket.IO included) or gunicorn processes.

``ThreadServer(app)`` serves an existing test app on 127.0.0.1 (werkzeug, threaded, the
app's own Socket.IO server). ``GunicornServer(env)`` starts ``gunicorn -k gevent -w 1``
on ``wsgi:app`` with the given ``SUPPORT_*`` environment and waits until it answers;
both are context managers that stop what they started.
"""
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import closing

import requests
from werkzeug.serving import make_server

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_BIN = os.path.dirname(sys.executable)


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, timeout: float = 30.0, process=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f'server exited with {process.returncode}')
        try:
            if requests.get(url + '/api/v1/health', timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f'{url} did not come up in {timeout} s')


def scratch_postgres(base_url: str, suffix: str) -> str:
    """A PostgreSQL database beside ``base_url`` named ``<name>_<suffix>``, created if missing."""
    import psycopg
    base, _sep, name = base_url.rpartition('/')
    scratch = f'{name}_{suffix}'
    with psycopg.connect(base_url, autocommit=True) as conn:
        if not conn.execute('SELECT 1 FROM pg_database WHERE datname = %s', (scratch,)).fetchone():
            conn.execute(f'CREATE DATABASE "{scratch}"')
    return f'{base}/{scratch}'


class ThreadServer:
    """Serve ``app`` (HTTP and Socket.IO, threading mode) in a background thread."""

    def __init__(self, app):
        self.app = app
        self.port = free_port()
        self.url = f'http://127.0.0.1:{self.port}'

    def __enter__(self):
        from support.core.extensions import socketio
        # Several test apps exist in one process; emit through the server of the one we serve.
        self._previous = socketio.server
        socketio.server = self.app.wsgi_app.engineio_app
        self.server = make_server('127.0.0.1', self.port, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        wait_until_up(self.url)
        return self

    def __exit__(self, *exc):
        from support.core.extensions import socketio
        self.server.shutdown()
        self.thread.join(5)
        socketio.server = self._previous


class GunicornServer:
    """``gunicorn -k gevent -w 1 wsgi:app`` on a free port, with ``env`` added to the environment."""

    def __init__(self, env: dict, port: int | None = None, log_path: str | None = None):
        self.port = port or free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        self.env = {**os.environ, 'SUPPORT_ASYNC_MODE': 'gevent', **env}
        self.log_path = log_path

    def __enter__(self):
        self.log = open(self.log_path, 'ab') if self.log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [os.path.join(VENV_BIN, 'gunicorn'), '-k', 'gevent', '-w', '1', '--no-control-socket',
             '--timeout', '60', '-b', f'127.0.0.1:{self.port}', 'wsgi:app'],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log, start_new_session=True)
        try:
            wait_until_up(self.url, process=self.process)
        except Exception:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        if self.log is not subprocess.DEVNULL:
            self.log.close()


class ServeProcess:
    """``flask --app wsgi support serve`` (the embedded server) in a subprocess on a free port.

    ``env`` is the whole environment of the server; ``restart()`` keeps the port and the
    database, as an operator restarting the service would.
    """

    def __init__(self, env: dict, log_path: str, jobs: bool = True, log_jobs: bool = False):
        self.port = free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        self.env, self.jobs, self.log_jobs = env, jobs, log_jobs
        self.log = open(log_path, 'ab')
        self.process = None

    def start(self) -> 'ServeProcess':
        args = ['flask', '--app', 'wsgi', 'support', 'serve', '--port', str(self.port)] + ([] if self.jobs else
                                                                                           ['--no-jobs'])
        logging_setup = ('import logging; logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s '
                         '%(message)s"); logging.getLogger("werkzeug").setLevel(logging.WARNING); '
                         if self.log_jobs else '')
        command = [sys.executable, '-c', f'import sys; {logging_setup}from flask.cli import main; '
                   f'sys.argv = {args!r}; main()']
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        wait_until_up(self.url, timeout=60, process=self.process)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        self.log.close()


class EventLog:
    """A python-socketio client on ``/live`` that records every event it receives."""

    def __init__(self, url: str, token: str | None, transports=('websocket',)):
        import socketio
        self.events = []
        self.cond = threading.Condition()
        self.client = socketio.Client(reconnection=False)
        self.client.on('*', self._record, namespace='/live')
        self.url, self.token, self.transports = url, token, list(transports)

    def _record(self, event, data):
        with self.cond:
            self.events.append((event, data, time.monotonic()))
            self.cond.notify_all()

    def connect(self):
        self.client.connect(self.url, namespaces=['/live'], auth={'token': self.token} if self.token else None,
                            transports=self.transports, wait_timeout=30)  # a loaded CI machine
        return self

    def wait_for(self, name: str, timeout: float = 10.0, where=lambda data: True):
        """The first ``name`` event whose payload satisfies ``where`` (waits for it)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for event, data, _at in self.events:
                    if event == name and where(data):
                        return data
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f'no {name} within {timeout} s; got {[e for e, _d, _t in self.events]}')
                self.cond.wait(left)

    def names(self) -> list[str]:
        with self.cond:
            return [e for e, _d, _t in self.events]

    def close(self):
        """Disconnect in the background: the WebSocket closing handshake takes seconds on werkzeug."""
        def disconnect():
            try:
                self.client.disconnect()
            except Exception:
                pass
        threading.Thread(target=disconnect, daemon=True).start()

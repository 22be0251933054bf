"""Signed intake under load, against the production server, next to its ceiling and a peer.

One run, per backend (PostgreSQL, and SQLite with ``--sqlite``), ``--rounds`` times in turn:

- ``ceiling``: ``POST /api/v1/bench/insert`` (served only with ``SUPPORT_BENCH=1``): validate a
  small JSON body with marshmallow and insert one row, the least a writing request costs here;
- ``intake, nobody free``: ``POST /api/v1/intake/tickets``, signed, varied bodies (email, chat,
  web; English and Spanish), no agent available;
- ``intake, N agents``: the same with ``--agents`` agents available with room on every channel,
  so routing really runs inline (every ticket is offered or assigned in its request);
- ``django-helpdesk``: its REST API's ticket create (``POST /api/tickets/``, token auth), the peer,
  installed with pip into a throwaway virtualenv under /tmp (``--peer-venv``; never part of this
  project) and served the same way on the same backend; skipped when it cannot be installed.

Both servers are gunicorn with 2 workers (``gunicorn.conf.py`` for ours): gevent on PostgreSQL,
threads (gthread) for ours on SQLite, as ``support serve`` runs it; wrk with
``--latency`` drives them (only its "Latency Distribution" block is read for percentiles).
Printed per round and as medians: req/s, p50/p99, worker CPU per request, and the ratios
(intake with agents / ceiling, intake / peer). SQL statements per request are counted in this
process (SQLAlchemy ``before_cursor_execute``) on the same database with the same code.

    .venv/bin/python bench/ingest.py [--database postgresql://postgres@127.0.0.1:5432/support_bench]
        [--sqlite] [--workers 2] [--connections 32] [--seconds 10] [--rounds 3] [--agents 20]
        [--peer-venv /tmp/support-bench-peer] [--no-peer]

Needs wrk (``apt-get install wrk``) and PostgreSQL. Not a test: it prints figures; on a loaded
machine only the ratios within one run mean something.
"""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import requests
import sqlalchemy as sa

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from support.core.signing import sign  # noqa: E402

SUBJECTS = ['Modem keeps dropping', 'Sin señal en el decodificador', 'Laptop will not turn on',
            'El router no conecta', 'Billing question about my plan', 'No tengo internet desde ayer']
PER_SECOND = 2500  # more distinct signed requests than this stack serves in a second (a signature is taken once)
THREADS = 2  # wrk -t
CACHE_SECONDS = 5  # SUPPORT_CACHE_SECONDS default: how long another process may think nobody has room


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def reset_database(url: str) -> None:
    base, name = url.rsplit('/', 1)
    admin = sa.create_engine(base.replace('postgresql://', 'postgresql+psycopg://') + '/postgres',
                             isolation_level='AUTOCOMMIT')
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def flask(env, *args) -> str:
    return subprocess.run([os.path.join(ROOT, '.venv', 'bin', 'flask'), '--app', 'wsgi', *args], cwd=ROOT, env=env,
                          check=True, capture_output=True, text=True).stdout


def lua_script(requests_: list[tuple[str, dict]], path: str) -> str:
    """A wrk script cycling through pre-built requests."""
    lines = ['local reqs = {}']
    for body, headers in requests_:
        hdr = ', '.join(f'["{k}"] = {json.dumps(v)}' for k, v in headers.items())
        lines.append(f'table.insert(reqs, wrk.format("POST", "{path}", {{{hdr}}}, {json.dumps(body)}))')
    # Each wrk thread runs its own copy of the script: thread n takes requests n, n + THREADS, ... so no
    # signed request is sent twice (a replay would be a cheap 409, not an intake).
    lines += ['local threads = 0', 'function setup(thread)', '  thread:set("tid", threads)',
              '  threads = threads + 1', 'end', 'local i = nil', 'request = function()',
              '  if i == nil then i = tid or 0 end', '  local r = reqs[i % #reqs + 1]', f'  i = i + {THREADS}',
              '  return r', 'end']
    return '\n'.join(lines)


def intake_body(i: int) -> str:
    return json.dumps({'subject': SUBJECTS[i % len(SUBJECTS)], 'channel': ['email', 'chat', 'web'][i % 3],
                       'body': f'{SUBJECTS[i % len(SUBJECTS)]}. Reference {i}.',
                       'customer': {'name': f'Customer {i}', 'email': f'customer{i}@example.com'}})


def intake_requests(key_id: str, secret: str, count: int = 200, start: int = 0):
    now = int(time.time())
    result = []
    for i in range(start, start + count):
        body = intake_body(i)
        result.append((body, {'Content-Type': 'application/json', 'X-Support-Key': key_id,
                              'X-Support-Timestamp': str(now), 'X-Support-Signature': sign(secret, now, body.encode())}))
    return result


def run_wrk(url: str, script: str, connections: int, seconds: int) -> dict:
    with tempfile.NamedTemporaryFile('w', suffix='.lua', delete=False) as handle:
        handle.write(script)
    try:
        out = subprocess.run(['wrk', f'-t{THREADS}', f'-c{connections}', f'-d{seconds}s', '--latency', '-s', handle.name, url],
                             check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(handle.name)
    return parse_wrk(out)


_DURATION = re.compile(r'^([\d.]+)(us|ms|s|m)$')


def _ms(value: str) -> float:
    number, unit = _DURATION.match(value).groups()
    return float(number) * {'us': 0.001, 'ms': 1, 's': 1000, 'm': 60000}[unit]


def parse_wrk(out: str) -> dict:
    """Figures from ``wrk --latency`` output; percentiles only from its "Latency Distribution" block
    (the thread-stats table above it has a "+/- Stdev" column that looks like a percentage)."""
    if 'Latency Distribution' not in out or 'Requests/sec' not in out:
        raise RuntimeError('wrk printed no latency distribution (was --latency given?):\n' + out)
    block = out.split('Latency Distribution', 1)[1]
    percentiles = {}
    for line in block.splitlines()[1:]:
        match = re.match(r'^\s+([\d.]+)%\s+(\S+)\s*$', line)
        if not match:
            break
        percentiles[float(match.group(1))] = _ms(match.group(2))
    errors = re.search(r'Non-2xx or 3xx responses: (\d+)', out)
    sockets = re.search(r'Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)', out)
    return {'rps': float(re.search(r'Requests/sec:\s+([\d.]+)', out).group(1)),
            'p50': percentiles[50.0], 'p99': percentiles[99.0],
            'requests': int(re.search(r'(\d+) requests in', out).group(1)),
            'non_2xx': int(errors.group(1)) if errors else 0,
            'socket_errors': sum(map(int, sockets.groups())) if sockets else 0}


# --- processes and their CPU ------------------------------------------------------------------

def _children(pid: int) -> list[int]:
    try:
        with open(f'/proc/{pid}/task/{pid}/children') as handle:
            return [int(p) for p in handle.read().split()]
    except OSError:
        return []


def cpu_seconds(master_pid: int) -> float:
    """User + system CPU of the server's worker processes so far."""
    total = 0
    for pid in _children(master_pid):
        try:
            with open(f'/proc/{pid}/stat') as handle:
                fields = handle.read().rsplit(')', 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            continue
    return total / os.sysconf('SC_CLK_TCK')


def wait_up(url: str, process, path='/api/v1/health') -> None:
    for _ in range(150):
        if process.poll() is not None:
            raise RuntimeError(f'server exited with {process.returncode}')
        try:
            requests.get(url + path, timeout=5)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f'{url} did not come up')


def stop(process) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def measure(base: str, path: str, requests_: list, master_pid: int, args) -> dict:
    figures_before = cpu_seconds(master_pid)
    figures = run_wrk(base, lua_script(requests_, path), args.connections, args.seconds)
    used = cpu_seconds(master_pid) - figures_before
    figures['cpu_ms'] = 1000 * used / max(1, figures['requests'])
    return figures


# --- our server ---------------------------------------------------------------------------------

class Ours:
    """gunicorn -c gunicorn.conf.py wsgi:app on a fresh database, with a client and offline agents."""

    def __init__(self, url: str, args, instance: str):
        self.url, self.args, self.instance = url, args, instance
        self.port = free_port()
        self.base = f'http://127.0.0.1:{self.port}'
        self.env = dict(os.environ, SUPPORT_DATABASE_URL=url, SUPPORT_BENCH='1', SUPPORT_JOBS='memory',
                        SUPPORT_INSTANCE_PATH=instance, SUPPORT_BIND=f'127.0.0.1:{self.port}',
                        SUPPORT_WORKERS=str(args.workers), SUPPORT_SECRET_KEY='bench', PYTHONPATH=ROOT)
        self.env.pop('SUPPORT_REDIS_URL', None)
        # as `support serve` runs SQLite: threads, since a gevent worker waiting on SQLite's
        # writer lock blocks its whole loop, the greenlet holding the lock included
        self.worker_class = 'gthread' if url.startswith('sqlite') else 'gevent'
        self.env['SUPPORT_WORKER_CLASS'] = self.worker_class
        self.process, self.sent = None, 0

    def prepare(self) -> None:
        flask(self.env, 'db', 'upgrade', 'heads')
        self.creds = json.loads(flask(self.env, 'support', 'create-client', '--name', 'Bench', '--slug', 'bench',
                                      '--rate-limit', '1000000/minute'))
        self.app = _app(self.url)
        self.agent_ids = _make_agents(self.app, self.args.agents)

    def start(self) -> None:
        log = open(os.path.join(self.instance, 'server.log'), 'w')
        self.process = subprocess.Popen([os.path.join(ROOT, '.venv', 'bin', 'gunicorn'), '-c', 'gunicorn.conf.py',
                                         'wsgi:app'], cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=log)
        wait_up(self.base, self.process)

    def signed(self, seconds: int) -> list:
        batch = intake_requests(self.creds['key_id'], self.creds['secret'], seconds * PER_SECOND, start=self.sent)
        self.sent += len(batch)
        return batch

    def intake(self, seconds: int) -> dict:
        run_wrk(self.base, lua_script(self.signed(2), '/api/v1/intake/tickets'), self.args.connections, 2)
        return measure(self.base, '/api/v1/intake/tickets', self.signed(seconds), self.process.pid, self.args)

    def ceiling(self, seconds: int) -> dict:
        minimal = [(json.dumps({'subject': s, 'body': 'y'}), {'Content-Type': 'application/json'}) for s in SUBJECTS]
        run_wrk(self.base, lua_script(minimal, '/api/v1/bench/insert'), self.args.connections, 2)
        return measure(self.base, '/api/v1/bench/insert', minimal, self.process.pid, self.args)

    def agents(self, available: bool) -> None:
        _set_presence(self.app, self.agent_ids, available)
        time.sleep(CACHE_SECONDS + 1)  # the servers' "nobody has room" entries have run out by then

    def log_tail(self) -> str:
        with open(os.path.join(self.instance, 'server.log')) as handle:
            return handle.read()[-3000:]


def _app(url: str):
    from support import create_app
    return create_app({'SQLALCHEMY_DATABASE_URI': url, 'SUPPORT_REDIS_URL': None, 'SECRET_KEY': 'bench',
                       'SUPPORT_JOBS': 'memory'})


def _make_agents(app, count: int) -> list[int]:
    """``count`` agents (English and Spanish, every client), offline, with room for the whole run."""
    from support.agents.availability import update_skills
    from support.agents.models import Role
    from support.agents.operations import create_agent
    from support.core.extensions import db
    ids = []
    with app.app_context():
        for n in range(count):
            agent = create_agent(f'bench{n}@example.com', f'Bench {n}', 'password-123', Role.agent, ('en', 'es'),
                                 all_clients=True)
            db.session.flush()
            update_skills(agent, {'capacities': {ch: 100000 for ch in ('email', 'chat', 'web')}})
            ids.append(agent.id)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return ids


def _set_presence(app, agent_ids, available: bool, attempts: int = 10) -> None:
    """Every agent available (or offline) in one transaction; retried while SQLite's writer lock is
    still held by the server finishing the requests of the round before."""
    from sqlalchemy.exc import OperationalError

    from support.agents.availability import set_presence
    from support.agents.presence import Presence
    from support.core.extensions import db
    with app.app_context():
        for attempt in range(attempts):
            try:
                for agent_id in agent_ids:
                    set_presence(agent_id, Presence.available if available else Presence.offline, system=True)
                db.session.commit()
                break
            except OperationalError:
                db.session.rollback()
                if attempt == attempts - 1:
                    raise
                time.sleep(2)
        db.session.remove()
        db.engine.dispose()


def statements_per_request(ours: Ours, count: int = 30) -> float:
    """SQL statements (BEGIN/COMMIT excluded) per signed intake, in this process, same code and database."""
    from support.core.extensions import db
    app = ours.app
    client = app.test_client()
    seen = []

    def on_execute(conn, cursor, statement, *rest):
        if not statement.lstrip().upper().startswith('BEGIN'):
            seen.append(statement)
    with app.app_context():
        engine = db.engine
    batch = intake_requests(ours.creds['key_id'], ours.creds['secret'], count + 3, start=ours.sent + 10 ** 7)
    for body, headers in batch[:3]:  # warm the caches of this process
        client.post('/api/v1/intake/tickets', data=body, headers=headers)
    sa.event.listen(engine, 'before_cursor_execute', on_execute)
    try:
        for body, headers in batch[3:]:
            assert client.post('/api/v1/intake/tickets', data=body, headers=headers).status_code == 201
    finally:
        sa.event.remove(engine, 'before_cursor_execute', on_execute)
    with app.app_context():
        db.engine.dispose()
    return len(seen) / count


# --- the peer: django-helpdesk ------------------------------------------------------------------

PEER_SETTINGS = '''
import os
SECRET_KEY = 'bench-only'
DEBUG = False
ALLOWED_HOSTS = ['*']
INSTALLED_APPS = ['django.contrib.admin', 'django.contrib.auth', 'django.contrib.contenttypes',
                  'django.contrib.sessions', 'django.contrib.messages', 'django.contrib.humanize',
                  'django.contrib.sites', 'rest_framework', 'rest_framework.authtoken', 'helpdesk']
SITE_ID = 1
MIDDLEWARE = ['django.middleware.security.SecurityMiddleware', 'django.contrib.sessions.middleware.SessionMiddleware',
              'django.middleware.common.CommonMiddleware', 'django.middleware.csrf.CsrfViewMiddleware',
              'django.contrib.auth.middleware.AuthenticationMiddleware',
              'django.contrib.messages.middleware.MessageMiddleware']
ROOT_URLCONF = 'peer_urls'
TEMPLATES = [{'BACKEND': 'django.template.backends.django.DjangoTemplates', 'APP_DIRS': True,
              'OPTIONS': {'context_processors': ['django.template.context_processors.request',
                                                 'django.contrib.auth.context_processors.auth',
                                                 'django.contrib.messages.context_processors.messages']}}]
_url = os.environ['PEER_DATABASE_URL']
if _url.startswith('postgresql'):
    _user, _hostdb = _url.split('://', 1)[1].split('@', 1)
    _host, _name = _hostdb.split('/', 1)
    _host, _port = (_host.split(':') + ['5432'])[:2]
    DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'NAME': _name, 'USER': _user,
                             'HOST': _host, 'PORT': _port, 'OPTIONS': {'pool': {'min_size': 2, 'max_size': 20}}}}
else:
    DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': _url,
                             'OPTIONS': {'timeout': 30, 'init_command': 'PRAGMA journal_mode=WAL;'}}}
USE_TZ = True
STATIC_URL = '/static/'
DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'
HELPDESK_TEAMS_MODE_ENABLED = False
HELPDESK_API_ENABLED = True
EMAIL_BACKEND = 'django.core.mail.backends.dummy.EmailBackend'
# A token (one query), not HTTP Basic: a password hash per request would make the peer look slower than it is.
REST_FRAMEWORK = {'DEFAULT_AUTHENTICATION_CLASSES': ['rest_framework.authentication.TokenAuthentication']}
'''
PEER_URLS = '''
from django.urls import include, path
urlpatterns = [path('', include('helpdesk.urls', namespace='helpdesk'))]
'''
PEER_SETUP = '''
import json, os
import django
os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'peer_settings')
django.setup()
from django.core.management import call_command
call_command('migrate', verbosity=0, interactive=False)
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from helpdesk.models import Queue
user = User.objects.create_superuser('bench', 'bench@example.com', 'unused-password')
token, _ = Token.objects.get_or_create(user=user)
queue = Queue.objects.create(title='Bench', slug='bench')
print(json.dumps({'token': token.key, 'queue': queue.id}))
'''
PEER_PACKAGES = ['django-helpdesk', 'djangorestframework', 'gunicorn', 'gevent', 'packaging', 'psycopg[binary,pool]']


def peer_venv(path: str) -> str | None:
    """The peer's virtualenv (made with pip on first use); None when it cannot be installed."""
    python = os.path.join(path, 'bin', 'python')
    if not os.path.exists(os.path.join(path, 'bin', 'gunicorn')):
        try:
            subprocess.run([sys.executable, '-m', 'venv', path], check=True, capture_output=True)
            subprocess.run([python, '-m', 'pip', 'install', '-q', *PEER_PACKAGES], check=True, capture_output=True,
                           timeout=900)
        except (subprocess.SubprocessError, OSError) as error:
            print(f'django-helpdesk not measured: could not install it ({error})', file=sys.stderr)
            return None
    return path


class Peer:
    def __init__(self, venv: str, database: str, args, workdir: str):
        self.venv, self.database, self.args, self.workdir = venv, database, args, workdir
        self.port = free_port()
        self.base = f'http://127.0.0.1:{self.port}'
        self.env = dict(os.environ, PEER_DATABASE_URL=database, DJANGO_SETTINGS_MODULE='peer_settings',
                        PYTHONPATH=workdir)
        self.process = None

    def prepare(self) -> None:
        for name, text in (('peer_settings.py', PEER_SETTINGS), ('peer_urls.py', PEER_URLS),
                           ('peer_setup.py', PEER_SETUP)):
            with open(os.path.join(self.workdir, name), 'w') as handle:
                handle.write(text)
        out = subprocess.run([os.path.join(self.venv, 'bin', 'python'), 'peer_setup.py'], cwd=self.workdir,
                             env=self.env, check=True, capture_output=True, text=True).stdout
        self.setup = json.loads(out.strip().splitlines()[-1])

    def start(self) -> None:
        log = open(os.path.join(self.workdir, 'peer.log'), 'w')
        self.process = subprocess.Popen(
            [os.path.join(self.venv, 'bin', 'gunicorn'), '-k', 'gevent', '-w', str(self.args.workers),
             '--worker-connections', '1000', '--no-control-socket', '-b', f'127.0.0.1:{self.port}',
             'django.core.wsgi:get_wsgi_application()'],
            cwd=self.workdir, env=self.env, stdout=subprocess.DEVNULL, stderr=log)
        wait_up(self.base, self.process, '/api/')

    def create(self, seconds: int) -> dict:
        headers = {'Content-Type': 'application/json', 'Authorization': f'Token {self.setup["token"]}'}
        bodies = [(json.dumps({'queue': self.setup['queue'], 'title': SUBJECTS[i % len(SUBJECTS)],
                               'description': f'{SUBJECTS[i % len(SUBJECTS)]}. Reference {i}.',
                               'submitter_email': f'customer{i}@example.com', 'priority': 3}), headers)
                  for i in range(200)]
        run_wrk(self.base, lua_script(bodies, '/api/tickets/'), self.args.connections, 2)
        return measure(self.base, '/api/tickets/', bodies, self.process.pid, self.args)


# --- the run -------------------------------------------------------------------------------------

ROWS = ('ceiling', 'intake, nobody free', 'intake, agents', 'django-helpdesk')


def run_backend(backend: str, args) -> dict:
    instance = tempfile.mkdtemp(prefix=f'support-bench-{backend}-')
    if backend == 'postgresql':
        reset_database(args.database)
        url = args.database
        peer_db = args.database.rsplit('/', 1)[0] + '/' + args.database.rsplit('/', 1)[1] + '_peer'
        reset_database(peer_db)
    else:
        url = 'sqlite:///' + os.path.join(instance, 'support.sqlite')
        peer_db = os.path.join(instance, 'peer.sqlite')
    ours = Ours(url, args, instance)
    ours.prepare()
    peer = None
    venv = None if args.no_peer else peer_venv(args.peer_venv)
    if venv:
        peer = Peer(venv, peer_db, args, instance)
        try:
            peer.prepare()
        except subprocess.CalledProcessError as error:
            print(f'django-helpdesk not measured: its setup failed\n{error.stderr[-2000:]}', file=sys.stderr)
            peer = None
    statements = {'intake, nobody free': statements_per_request(ours)}
    _set_presence(ours.app, ours.agent_ids, True)
    statements['intake, agents'] = statements_per_request(ours)
    _set_presence(ours.app, ours.agent_ids, False)
    rounds = []
    try:
        ours.start()
        if peer:
            peer.start()
        for number in range(args.rounds):
            figures = {'ceiling': ours.ceiling(args.seconds)}
            figures['intake, nobody free'] = ours.intake(args.seconds)
            ours.agents(available=True)
            figures['intake, agents'] = ours.intake(args.seconds)
            ours.agents(available=False)
            if peer:
                figures['django-helpdesk'] = peer.create(args.seconds)
            rounds.append(figures)
            print_round(backend, number + 1, figures)
    except Exception:
        print(ours.log_tail(), file=sys.stderr)
        raise
    finally:
        stop(ours.process)
        stop(peer.process if peer else None)
    return {'rounds': rounds, 'statements': statements, 'routed': _routed(url), 'worker_class': ours.worker_class}


def _routed(url: str) -> dict:
    engine = sa.create_engine(url.replace('postgresql://', 'postgresql+psycopg://'))
    with engine.connect() as conn:
        rows = dict(conn.execute(sa.text('SELECT state, count(*) FROM routing_items GROUP BY state')).all())
    engine.dispose()
    return rows


def print_round(backend: str, number: int, figures: dict) -> None:
    print(f'[{backend}] round {number}: ' + ', '.join(f'{name} {f["rps"]:.0f} req/s (p99 {f["p99"]:.0f} ms)'
                                                     for name, f in figures.items()), flush=True)


def report(backend: str, result: dict, args) -> None:
    rounds = result['rounds']
    print(f'\n== {backend}: gunicorn {result["worker_class"]} x{args.workers}; wrk -t2 -c{args.connections} -d{args.seconds}s '
          f'--latency; {len(rounds)} rounds; {args.agents} agents in the "agents" rows; load average '
          f'{os.getloadavg()[0]:.1f}')
    print(f'{"path":<24}{"req/s":>9}{"p50 ms":>9}{"p99 ms":>9}{"CPU ms/req":>12}{"non-2xx":>9}{"SQL/req":>9}')
    for name in ROWS:
        runs = [r[name] for r in rounds if name in r]
        if not runs:
            continue
        med = {k: statistics.median(r[k] for r in runs) for k in ('rps', 'p50', 'p99', 'cpu_ms')}
        sql = result['statements'].get(name)
        print(f'{name:<24}{med["rps"]:>9.1f}{med["p50"]:>9.1f}{med["p99"]:>9.1f}{med["cpu_ms"]:>12.2f}'
              f'{sum(r["non_2xx"] + r["socket_errors"] for r in runs):>9}{(f"{sql:.1f}" if sql else "-"):>9}')

    def ratio(a, b):
        values = [r[a]['rps'] / r[b]['rps'] for r in rounds if a in r and b in r]
        return (f'{statistics.median(values):.2f} (rounds: {", ".join(f"{v:.2f}" for v in values)})'
                if values else 'not measured')
    print(f'intake with agents / ceiling:        {ratio("intake, agents", "ceiling")}')
    print(f'intake, nobody free / ceiling:       {ratio("intake, nobody free", "ceiling")}')
    print(f'intake with agents / django-helpdesk: {ratio("intake, agents", "django-helpdesk")}')
    print(f'intake, nobody free / django-helpdesk: {ratio("intake, nobody free", "django-helpdesk")}')
    print(f'routing items by state at the end: {result["routed"]}')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--database', default='postgresql://postgres@127.0.0.1:5432/support_bench')
    parser.add_argument('--sqlite', action='store_true', help='also measure on SQLite (ours and the peer)')
    parser.add_argument('--only-sqlite', action='store_true')
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--connections', type=int, default=32)
    parser.add_argument('--seconds', type=int, default=10)
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--agents', type=int, default=20)
    parser.add_argument('--peer-venv', default='/tmp/support-bench-peer')
    parser.add_argument('--no-peer', action='store_true')
    args = parser.parse_args()
    if not shutil.which('wrk'):
        sys.exit('wrk is needed: apt-get install wrk')
    backends = (['sqlite'] if args.only_sqlite else ['postgresql'] + (['sqlite'] if args.sqlite else []))
    results = {backend: run_backend(backend, args) for backend in backends}
    for backend, result in results.items():
        report(backend, result, args)


if __name__ == '__main__':
    main()

"""Ticket lists at 100k tickets against the production server, next to a read ceiling in the same run.

    .venv/bin/python bench/listing.py [--database postgresql://postgres@127.0.0.1:5432/listing_bench]
                                      [--tickets 100000] [--workers 2] [--connections 8] [--seconds 8]

1. Builds the schema with the migrations (the real indexes), then loads ``--tickets`` tickets with
   ``support.tickets.volume`` (INSERT … SELECT generate_series: 7 clients of very different sizes,
   40% Spanish, mostly e-mail and chat, the newest tenth open, one to five messages each) and ANALYZEs.
2. Serves with gunicorn (``gunicorn.conf.py``, gevent, ``--workers``) and drives each list and
   filter of the API with wrk at ``--connections`` connections, as an agent who serves the largest
   client (the tenancy check included), plus ``GET /api/v1/bench/rows`` (50 rows by primary key,
   no access check: the least a list request costs) and ``GET /api/v1/health`` before and after.
3. Prints req/s, p50, p99, the workers' CPU per request (user + system from /proc, over the run)
   and each list's throughput as a share of a ceiling round run just before it (on a shared
   machine the ceiling itself drifts within a run).

Needs PostgreSQL and wrk (``apt-get install wrk``). Not a test: it prints figures; on a loaded
machine only the ratios within one run mean much.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import requests
import sqlalchemy as sa

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ingest import free_port, reset_database  # noqa: E402  (bench/ingest.py: the shared bench helpers)

# (label, query string) of GET /api/v1/tickets; {big} is the largest client's slug, {agent} an agent id.
CASES = [
    ('open tickets of a client', {'client': '{big}', 'status': ['new', 'open', 'pending']}),
    ('newest of a client', {'client': '{big}'}),
    ('newest, page 3 (cursor)', {'client': '{big}', 'cursor': '{page3}'}),
    ('closed of a client', {'client': '{big}', 'status': 'closed'}),
    ('Spanish', {'client': '{big}', 'language': 'es'}),
    ('chat', {'client': '{big}', 'channel': 'chat'}),
    ('urgent', {'client': '{big}', 'priority': 'urgent'}),
    ('assigned to an agent', {'assignee': '{agent}'}),
    ('unassigned', {'client': '{big}', 'assignee': 'none'}),
    ('tag vip', {'client': '{big}', 'tag': 'vip'}),
    ('product router', {'client': '{big}', 'product': 'router'}),
    ('created last week', {'client': '{big}', 'created_after': '{week_ago}'}),
    ('a week, 10 months ago', {'client': '{big}', 'created_after': '{months_ago}', 'created_before': '{months_ago_7}'}),
    ('SLA breached', {'client': '{big}', 'sla': 'breached'}),
    ('by SLA due time', {'client': '{big}', 'sort': 'due'}),
]


def run_wrk(url: str, connections: int, seconds: int, token: str | None = None) -> dict:
    command = ['wrk', '-t1', f'-c{connections}', f'-d{seconds}s', '--latency', url]
    if token:
        command[1:1] = ['-H', f'Authorization: Bearer {token}']
    return parse_wrk(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def _ms(number: str, unit: str) -> float:
    return float(number) * {'us': 0.001, 'ms': 1.0, 's': 1000.0}[unit]


def parse_wrk(out: str) -> dict:
    """Figures from wrk's output; percentiles from the Latency Distribution block only (the thread
    stats table above it has a Stdev column that can also read like ``50%``)."""
    if 'Latency Distribution' not in out or 'Requests/sec' not in out:
        raise RuntimeError('wrk printed no figures:\n' + out)
    percentiles = {}
    for line in out.split('Latency Distribution', 1)[1].splitlines():
        found = re.match(r'\s*(\d+)%\s+([\d.]+)(us|ms|s)\s*$', line)
        if found:
            percentiles[int(found.group(1))] = _ms(found.group(2), found.group(3))
        elif percentiles:
            break
    errors = re.search(r'Non-2xx or 3xx responses: (\d+)', out)
    return {'rps': float(re.search(r'Requests/sec:\s+([\d.]+)', out).group(1)),
            'requests': int(re.search(r'(\d+) requests in', out).group(1)),
            'p50': percentiles[50], 'p99': percentiles[99], 'non_2xx': int(errors.group(1)) if errors else 0}


def worker_cpu(master_pid: int) -> float:
    """User + system CPU seconds of the gunicorn master's children (its workers), from /proc."""
    total, tick = 0.0, os.sysconf('SC_CLK_TCK')
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            with open(f'/proc/{pid}/stat') as handle:
                fields = handle.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def load(url: str, tickets: int) -> dict:
    """Clients, agents and ``tickets`` tickets; the tokens and ids the cases need."""
    from support import create_app
    from support.agents.auth import issue_token
    from support.agents.operations import create_agent
    from support.clients.operations import create_client
    from support.core.extensions import db
    from support.tickets import volume
    app = create_app({'SQLALCHEMY_DATABASE_URI': url, 'SUPPORT_REDIS_URL': None, 'SECRET_KEY': 'bench',
                      'SUPPORT_PASSWORD_METHOD': 'pbkdf2:sha256:1000'})
    with app.app_context():
        clients = [create_client(name, name.lower())[0] for name in
                   ('Cablevision', 'Laptops', 'Phones', 'Routers', 'Streaming', 'Printers', 'Cameras')]
        agents = [create_agent(f'agent{i}@bench.example', f'Agent {i}', 'password-123', 'agent', ['en', 'es'],
                               all_clients=True) for i in range(20)]
        serving = create_agent('floor@bench.example', 'Floor Agent', 'password-123', 'agent', ['en', 'es'],
                               clients=[clients[0].slug])
        db.session.commit()
        started = time.perf_counter()
        with db.engine.begin() as conn:
            volume.load(conn, clients=[c.id for c in clients], agents=[a.id for a in agents], tickets=tickets)
        loaded = time.perf_counter() - started
        counts = db.session.execute(sa.text('SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM messages),'
                                            ' (SELECT count(*) FROM tickets WHERE client_id = :c)'),
                                    {'c': clients[0].id}).one()
        result = {'token': issue_token(serving), 'big': clients[0].slug, 'agent': str(agents[1].id),
                  'loaded_s': loaded, 'tickets': counts[0], 'messages': counts[1], 'big_tickets': counts[2]}
    return result


def _query(params: dict, values: dict) -> str:
    filled = {k: [x.format(**values) for x in v] if isinstance(v, list) else v.format(**values)
              for k, v in params.items()}
    return '/api/v1/tickets?' + urlencode(filled, doseq=True)


def _page3(base: str, made: dict) -> str:
    headers = {'Authorization': f'Bearer {made["token"]}'}
    cursor = None
    for _ in range(2):
        page = requests.get(base + '/api/v1/tickets', params={'client': made['big'], **({'cursor': cursor} if cursor else {})},
                            headers=headers, timeout=30).json()
        cursor = page['next_cursor']
    return cursor


def start_server(url: str, workers: int) -> tuple[subprocess.Popen, str, str]:
    port = free_port()
    instance = tempfile.mkdtemp(prefix='support-listing-bench-')
    env = dict(os.environ, SUPPORT_DATABASE_URL=url, SUPPORT_BENCH='1', SUPPORT_JOBS='memory',
               SUPPORT_INSTANCE_PATH=instance, SUPPORT_BIND=f'127.0.0.1:{port}', SUPPORT_WORKERS=str(workers),
               SUPPORT_SECRET_KEY='bench', PYTHONPATH=ROOT)
    env.pop('SUPPORT_REDIS_URL', None)
    log = os.path.join(instance, 'server.log')
    server = subprocess.Popen([os.path.join(ROOT, '.venv', 'bin', 'gunicorn'), '-c', 'gunicorn.conf.py', 'wsgi:app'],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(log, 'w'))
    base = f'http://127.0.0.1:{port}'
    for _ in range(150):
        try:
            requests.get(base + '/api/v1/health', timeout=5).raise_for_status()
            return server, base, log
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(open(log).read()[-3000:])


def measure(server, base: str, path: str, token, connections: int, seconds: int) -> dict:
    run_wrk(base + path, connections, 1, token)  # warm: connections, caches, plans
    cpu = worker_cpu(server.pid)
    figures = run_wrk(base + path, connections, seconds, token)
    figures['cpu_ms'] = (worker_cpu(server.pid) - cpu) / max(1, figures['requests']) * 1000
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--database', default='postgresql://postgres@127.0.0.1:5432/listing_bench')
    parser.add_argument('--tickets', type=int, default=100_000)
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--connections', type=int, default=8)
    parser.add_argument('--seconds', type=int, default=8)
    args = parser.parse_args()
    if not shutil.which('wrk'):
        sys.exit('wrk is needed: apt-get install wrk')
    reset_database(args.database)
    env = dict(os.environ, SUPPORT_DATABASE_URL=args.database, SUPPORT_SECRET_KEY='bench', PYTHONPATH=ROOT)
    subprocess.run([os.path.join(ROOT, '.venv', 'bin', 'flask'), '--app', 'wsgi', 'db', 'upgrade', 'heads'],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    made = load(args.database, args.tickets)
    print(f'loaded {made["tickets"]:,} tickets and {made["messages"]:,} messages in {made["loaded_s"]:.1f} s '
          f'(largest client: {made["big_tickets"]:,} tickets); load average {os.getloadavg()[0]:.1f} '
          f'on {os.cpu_count()} cores')
    server, base, log = start_server(args.database, args.workers)
    now = datetime.now(timezone.utc)
    values = dict(made, week_ago=(now - timedelta(days=7)).isoformat(),
                  months_ago=(now - timedelta(days=300)).isoformat(), months_ago_7=(now - timedelta(days=293)).isoformat())
    results = []
    try:
        values['page3'] = _page3(base, made)
        first = requests.get(base + _query(CASES[0][1], values), headers={'Authorization': f'Bearer {made["token"]}'},
                             timeout=30).json()
        assert len(first['items']) == 50 and first['next_cursor'], first
        baseline = [('ceiling: 50 rows by id, no auth', '/api/v1/bench/rows', None), ('health', '/api/v1/health', None)]
        before = {label: measure(server, base, path, None, args.connections, args.seconds) for label, path, _ in baseline}
        for label, params in CASES:  # each list right after its own ceiling round: the ratio survives drift
            paired = measure(server, base, baseline[0][1], None, args.connections, args.seconds)
            figures = measure(server, base, _query(params, values), made['token'], args.connections, args.seconds)
            figures['paired'] = figures['rps'] / paired['rps']
            results.append((label, figures))
        after = {label: measure(server, base, path, None, args.connections, args.seconds) for label, path, _ in baseline}
    except Exception:
        print(open(log).read()[-3000:], file=sys.stderr)
        raise
    finally:
        server.terminate()
        server.wait(15)
    ceiling = {label: {key: statistics.mean([before[label][key], after[label][key]]) for key in before[label]}
               for label in before}
    top = ceiling[baseline[0][0]]['rps']
    print(f'gunicorn gevent x{args.workers}, wrk -t1 -c{args.connections} -d{args.seconds}s per line; '
          f'GET /api/v1/tickets as an agent serving the largest client, 50 a page')
    print(f'{"list":<34}{"req/s":>9}{"p50 ms":>9}{"p99 ms":>9}{"CPU ms/req":>12}{"x ceiling":>11}{"non-2xx":>9}')
    for label, figures in [(label, ceiling[label]) for label in ceiling] + results:
        print(f'{label:<34}{figures["rps"]:>9.1f}{figures["p50"]:>9.2f}{figures["p99"]:>9.2f}'
              f'{figures["cpu_ms"]:>12.2f}{figures.get("paired", figures["rps"] / top):>11.2f}'
              f'{int(figures["non_2xx"]):>9}')
    print('x ceiling: against the ceiling round run just before that list (the first rows: the mean of the '
          'rounds before and after all lists)')
    drift = abs(before[baseline[0][0]]['rps'] - after[baseline[0][0]]['rps']) / top
    print(f'ceiling before/after the lists: {before[baseline[0][0]]["rps"]:.0f} / {after[baseline[0][0]]["rps"]:.0f} '
          f'req/s (drift {drift:.0%}); load average now {os.getloadavg()[0]:.1f}')


if __name__ == '__main__':
    main()

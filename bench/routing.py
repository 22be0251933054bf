"""Routing figures: the pure decision, routing against a backlog, and commit → socket latency.

1. Decision: ``engine.choose`` over 100 agents (no database).
2. Routing on PostgreSQL with 100 agents and a backlog of 1,000 then 100,000 waiting
   tickets: a new ticket routed (offer) and an agent who frees capacity pulling the head
   of the backlog, each in its own transaction; per-ticket cost at 100k vs 1k.
3. Live latency: gunicorn (gevent) with Redis, 100 supervisor sockets connected; tickets
   posted one by one; time from the ticket's ``created_at`` (stamped just before commit)
   to each socket receiving ``ticket.created``; p50/p99 over every (ticket, socket).
4. Socket latency (``--sockets 100,1000``): the production server (``gunicorn.conf.py``,
   ``--workers`` gevent workers, Redis between them) with that many supervisor sockets held
   by ``bench/live_receiver.py`` (raw WebSockets in one gevent process, so the receiving end
   stays cheap), tickets posted one by one: commit → receipt p50/p99/max over every
   (ticket, socket), and how many deliveries arrived. Needs the ``bench`` extra
   (websocket-client).

    .venv/bin/python bench/routing.py [--database postgresql://postgres@127.0.0.1:5432/routing_bench]
                                      [--redis redis://127.0.0.1:6379/11] [--samples 300] [--events 100]
                                      [--sockets 100,1000] [--workers 2] [--skip decision,backlog,latency]
"""
import argparse
import json
import os
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault('SUPPORT_JOBS', 'memory')

import sqlalchemy as sa  # noqa: E402

from support.routing import engine  # noqa: E402


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def bench_decision(n=20000):
    import random
    rng = random.Random(1)
    agents = [engine.AgentFacts(id=i, available=rng.random() < 0.8,
                                languages=frozenset(rng.choice([('en',), ('es',), ('en', 'es')])),
                                client_ids=frozenset(rng.sample(range(10), 3)), capacities={'chat': 3, 'email': 6},
                                loads={'chat': rng.randrange(4), 'email': rng.randrange(7)},
                                idle_since=datetime(2026, 1, 1) + timedelta(seconds=rng.randrange(3600)))
              for i in range(100)]
    tickets = [engine.TicketFacts(id=i, client_id=rng.randrange(10), language=rng.choice(['en', 'es']),
                                  channel=rng.choice(['chat', 'email']), previous_agent_id=rng.randrange(200))
               for i in range(n)]
    started = time.perf_counter()
    for ticket in tickets:
        engine.choose(ticket, agents)
    elapsed = time.perf_counter() - started
    print(f'decision (pure, 100 agents): {n / elapsed:,.0f} decisions/s, {elapsed / n * 1e6:.1f} µs each')


def _fresh_database(url):
    import psycopg
    base, _sep, name = url.replace('postgresql+psycopg://', 'postgresql://').rpartition('/')
    with psycopg.connect(f'{base}/postgres', autocommit=True) as conn:
        if not conn.execute('SELECT 1 FROM pg_database WHERE datname = %s', (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _app(url):
    from support import create_app
    return create_app({'SQLALCHEMY_DATABASE_URI': url, 'SUPPORT_PASSWORD_METHOD': 'pbkdf2:sha256:1000',
                       'SUPPORT_REDIS_URL': None, 'RATELIMIT_STORAGE_URI': 'memory://',
                       'SUPPORT_QUEUE_UPDATE_INTERVAL': 3600, 'SECRET_KEY': 'bench-secret'})


def _world(db, agents=100):
    from support.agents.availability import set_presence, update_skills
    from support.agents.operations import create_agent
    from support.agents.presence import Presence
    from support.clients.operations import create_client
    from support.tickets.models import Customer
    db.drop_all()
    db.create_all()
    client, key, secret = create_client('Acme', 'acme')
    customer = Customer(client_id=client.id, name='Bench')
    db.session.add(customer)
    people = [create_agent(f'a{i}@example.com', f'Agent {i}', 'password-123', 'agent', ['en', 'es'],
                           all_clients=True) for i in range(agents)]
    db.session.flush()
    for agent in people:
        update_skills(agent, {'capacities': {'chat': 1000, 'email': 6}})
        set_presence(agent.id, Presence.available)
    db.session.commit()
    return client, customer, people


def _backlog(db, client, customer, size):
    """``size`` waiting email tickets, inserted in bulk, with every agent full on email."""
    from support.agents.presence import AgentLoad
    from support.routing.operations import queue_for
    from support.tickets.models import Ticket
    now = datetime.now(timezone.utc)
    queue = queue_for(client.id, 'en', 'email')
    db.session.execute(sa.text('DELETE FROM routing_items'))
    db.session.execute(sa.text('DELETE FROM offers'))
    db.session.execute(sa.text('DELETE FROM ticket_events'))
    db.session.execute(sa.text('DELETE FROM tickets'))
    rows = [{'client_id': client.id, 'customer_id': customer.id, 'channel': 'email', 'language': 'en',
             'language_source': 'given', 'priority': ['low', 'normal', 'high', 'urgent'][i % 4], 'status': 'new',
             'subject': f'Backlog {i}', 'tags': [], 'created_at': now - timedelta(seconds=size - i),
             'updated_at': now - timedelta(days=30)} for i in range(size)]
    for start in range(0, size, 10000):
        db.session.execute(sa.insert(Ticket), rows[start:start + 10000])
    db.session.execute(sa.text(
        """INSERT INTO routing_items (ticket_id, queue_id, state, client_id, customer_id, language, channel,
               sort_priority, due_at, waiting_since, escalation, excluded, updated_at)
           SELECT id, :queue, 'waiting', client_id, customer_id, language, channel,
               CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END,
               created_at, created_at, 0, '[]', created_at FROM tickets"""), {'queue': queue.id})
    db.session.execute(sa.update(AgentLoad).where(AgentLoad.channel == 'email').values(load=AgentLoad.capacity))
    db.session.execute(sa.update(AgentLoad).where(AgentLoad.channel == 'chat').values(load=0))
    db.session.commit()
    db.session.execute(sa.text('ANALYZE'))
    db.session.commit()


def _new_chat_ticket(db, client, customer, n):
    from support.routing.operations import enqueue
    from support.tickets.models import Channel, LanguageSource, Priority, Ticket
    now = datetime.now(timezone.utc)
    ticket = Ticket(client_id=client.id, customer_id=customer.id, channel=Channel.chat, language='en',
                    language_source=LanguageSource.given, priority=Priority.normal, subject=f'New {n}',
                    tags=[], created_at=now, updated_at=now)
    db.session.add(ticket)
    db.session.flush()
    enqueue(ticket)
    db.session.commit()
    return ticket.id


def bench_backlog(url, samples):
    from flask import g
    from support.agents.availability import free_capacity
    from support.core.extensions import db
    from support.routing import operations
    _fresh_database(url)
    app = _app(url)
    results = {}
    with app.app_context():
        client, customer, agents = _world(db)
        for size in (1000, 100000, 1000):
            started = time.perf_counter()
            _backlog(db, client, customer, size)
            print(f'backlog of {size:,}: built in {time.perf_counter() - started:.1f} s')
            route, pull = [], []
            for n in range(samples):
                ticket_id = _new_chat_ticket(db, client, customer, n)
                g.pop('routing_pending', None)
                t0 = time.perf_counter()
                assert operations.route_ticket(ticket_id) == 'offered'
                db.session.commit()
                route.append(time.perf_counter() - t0)
                agent = agents[n % len(agents)]
                free_capacity(agent.id, 'email')
                db.session.commit()
                t0 = time.perf_counter()
                assert operations.pull(agent.id) == 1
                db.session.commit()
                pull.append(time.perf_counter() - t0)
            g.pop('routing_pending', None)
            results.setdefault(size, ([], []))
            results[size][0].extend(route)
            results[size][1].extend(pull)
            for name, values in (('route new ticket', route), ('pull from backlog', pull)):
                print(f'  {name:18}: {len(values) / sum(values):7,.0f}/s  mean {statistics.mean(values) * 1e3:.2f} ms'
                      f'  p50 {pct(values, 50) * 1e3:.2f} ms  p99 {pct(values, 99) * 1e3:.2f} ms')
        for i, name in enumerate(('route new ticket', 'pull from backlog')):
            ratio = statistics.mean(results[100000][i]) / statistics.mean(results[1000][i])
            print(f'{name}: cost at 100k / cost at 1k = {ratio:.2f}x')
        db.session.remove()


def bench_latency(url, redis_url, clients, events):
    import redis
    import requests
    from support.agents.auth import issue_token
    from support.core.extensions import db
    from support.core.signing import sign
    from tests.servers import EventLog, GunicornServer
    app = _app(url)
    with app.app_context():
        client, _customer, _agents = _world(db, agents=5)
        from support.agents.operations import create_agent
        boss = create_agent('boss@example.com', 'Boss', 'password-123', 'supervisor', all_clients=True)
        key = client.keys[0]
        db.session.commit()
        token, key_id, secret = issue_token(boss), key.key_id, key.secret
        db.session.remove()
    redis.Redis.from_url(redis_url).flushdb()
    env = {'SUPPORT_DATABASE_URL': url, 'SUPPORT_REDIS_URL': redis_url, 'SUPPORT_SECRET_KEY': 'bench-secret',
           'SUPPORT_JOBS': 'memory', 'SUPPORT_INTAKE_RATE_LIMIT': '1000000/minute',
           'SUPPORT_INSTANCE_PATH': '/tmp/support-bench-routing'}
    with GunicornServer(env) as server:
        logs = [EventLog(server.url, token).connect() for _ in range(clients)]
        for log in logs:
            log.wait_for('queue.snapshot', timeout=30)
        session, lags = requests.Session(), []
        for n in range(events):
            body = json.dumps({'subject': f'Latency {n}', 'body': 'Router lights are all red since the storm.',
                               'channel': 'email', 'language': 'en',
                               'customer': {'email': f'l{n}@example.com'}}).encode()
            ts = int(time.time())
            response = session.post(server.url + '/api/v1/intake/tickets', data=body, headers={
                'X-Support-Key': key_id, 'X-Support-Timestamp': str(ts), 'X-Support-Signature': sign(secret, ts, body),
                'Content-Type': 'application/json'})
            ticket = response.json()
            for log in logs:
                log.wait_for('ticket.created', timeout=30, where=lambda d, i=ticket['id']: d['id'] == i)
            time.sleep(0.05)
        wall_offset = time.time() - time.monotonic()
        for log in logs:
            for event, data, at in log.events:
                if event == 'ticket.created':
                    lags.append(at + wall_offset - datetime.fromisoformat(data['created_at']).timestamp())
            log.close()
    print(f'commit → supervisor socket ({clients} clients, {events} tickets, {len(lags)} deliveries): '
          f'p50 {pct(lags, 50) * 1e3:.1f} ms  p99 {pct(lags, 99) * 1e3:.1f} ms')


def _production_server(env: dict, workers: int):
    import socket
    import subprocess
    import requests
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    env = {**os.environ, **env, 'SUPPORT_BIND': f'127.0.0.1:{port}', 'SUPPORT_WORKERS': str(workers),
           'PYTHONPATH': ROOT}
    log = open(os.path.join(env.get('SUPPORT_INSTANCE_PATH', '/tmp'), 'gunicorn.log'), 'w')
    server = subprocess.Popen([os.path.join(ROOT, '.venv', 'bin', 'gunicorn'), '-c', 'gunicorn.conf.py', 'wsgi:app'],
                              cwd=ROOT, env=env, stdout=log, stderr=log)
    url = f'http://127.0.0.1:{port}'
    for _ in range(150):
        try:
            requests.get(url + '/api/v1/health', timeout=5).raise_for_status()
            return server, url
        except requests.RequestException:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError('the server did not start')


def _receive(url: str, token: str, sockets: int):
    """``bench/live_receiver.py`` holding ``sockets`` supervisor sockets, once every one is connected."""
    import subprocess
    receiver = subprocess.Popen([sys.executable, os.path.join(ROOT, 'bench', 'live_receiver.py'), url, token,
                                 str(sockets), 'ticket.created'],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    ready = receiver.stdout.readline().split()
    if ready[:1] != ['ready'] or int(ready[1]) < sockets:
        receiver.kill()
        raise RuntimeError(f'only {ready} of {sockets} sockets connected')
    return receiver


def _post_tickets(url: str, key_id: str, secret: str, events: int, tag: str, interval: float) -> None:
    import requests
    from support.core.signing import sign
    session = requests.Session()
    for n in range(events):
        body = json.dumps({'subject': f'Latency {tag} {n}', 'body': 'Router lights are all red since the storm.',
                           'channel': 'email', 'language': 'en', 'customer': {'email': f'{tag}-{n}@example.com'}}).encode()
        ts = int(time.time())
        response = session.post(url + '/api/v1/intake/tickets', data=body, headers={
            'X-Support-Key': key_id, 'X-Support-Timestamp': str(ts), 'X-Support-Signature': sign(secret, ts, body),
            'Content-Type': 'application/json'})
        assert response.status_code == 201, response.text
        time.sleep(interval)


def bench_socket_latency(url, redis_url, counts, events, workers, interval):
    """Commit → receipt on ``counts`` supervisor sockets (each count in its own round)."""
    from support.agents.auth import issue_token
    from support.agents.operations import create_agent
    from support.core.extensions import db
    app = _app(url)
    with app.app_context():
        client, _customer, _agents = _world(db, agents=5)
        boss = create_agent('boss@example.com', 'Boss', 'password-123', 'supervisor', all_clients=True)
        key = client.keys[0]
        db.session.commit()
        token, key_id, secret = issue_token(boss), key.key_id, key.secret
        db.session.remove()
    env = {'SUPPORT_DATABASE_URL': url, 'SUPPORT_REDIS_URL': redis_url, 'SUPPORT_SECRET_KEY': 'bench-secret',
           'SUPPORT_REDIS_PREFIX': f'bench{os.getpid()}:', 'SUPPORT_JOBS': 'memory',
           'SUPPORT_INTAKE_RATE_LIMIT': '1000000/minute', 'SUPPORT_INSTANCE_PATH': '/tmp/support-bench-sockets'}
    server, base = _production_server(env, workers)
    try:
        for sockets in counts:
            receiver = _receive(base, token, sockets)
            time.sleep(2)  # let the connection snapshots settle
            load = os.getloadavg()[0]
            _post_tickets(base, key_id, secret, events, f's{sockets}', interval)
            time.sleep(3)
            out, _err = receiver.communicate('stop\n', timeout=120)
            lags = [at - datetime.fromisoformat(data['created_at']).timestamp()
                    for _n, at, data in map(json.loads, out.splitlines())
                    if data.get('subject', '').startswith(f'Latency s{sockets} ')]
            print(f'commit → supervisor socket, {sockets} sockets on {workers} gevent workers (Redis), {events} tickets: '
                  f'p50 {pct(lags, 50) * 1e3:.1f} ms  p99 {pct(lags, 99) * 1e3:.1f} ms  max {max(lags) * 1e3:.1f} ms  '
                  f'({len(lags)} of {sockets * events} deliveries, one ticket every {interval} s; '
                  f'load average {load:.1f} on {os.cpu_count()} cores)')
    finally:
        server.terminate()
        server.wait(20)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--database', default='postgresql://postgres@127.0.0.1:5432/routing_bench')
    parser.add_argument('--redis', default='redis://127.0.0.1:6379/11')
    parser.add_argument('--samples', type=int, default=300)
    parser.add_argument('--clients', type=int, default=100)
    parser.add_argument('--events', type=int, default=100)
    parser.add_argument('--sockets', default='', help='socket-latency rounds, e.g. 100,1000')
    parser.add_argument('--workers', type=int, default=2, help='gunicorn workers for --sockets')
    parser.add_argument('--interval', type=float, default=0.5, help='seconds between tickets for --sockets')
    parser.add_argument('--skip', default='', help='comma separated: decision,backlog,latency')
    args = parser.parse_args()
    from support.core.config import normalise_url
    skip = set(args.skip.split(','))
    if 'decision' not in skip:
        bench_decision()
    if 'backlog' not in skip:
        bench_backlog(normalise_url(args.database), args.samples)
    if 'latency' not in skip:
        bench_latency(normalise_url(args.database), args.redis, args.clients, args.events)
    if args.sockets:
        bench_socket_latency(normalise_url(args.database), args.redis, [int(n) for n in args.sockets.split(',')],
                             args.events, args.workers, args.interval)


if __name__ == '__main__':
    main()

"""What SLA costs: re-planning 100,000 open tickets after a calendar change, and intake with SLA
against intake without it, in the same run on the same server.

    .venv/bin/python bench/sla.py [--database postgresql://postgres@127.0.0.1:5432/sla_bench]
                                  [--tickets 100000] [--workers 2] [--connections 32] [--seconds 10] [--rounds 3]

1. Re-plan: loads the open tickets (with their clocks and a routing item for a third of them)
   in bulk, changes the calendar their policy uses, and runs the re-plan the worker would run
   (``sla.replan_calendar``) in this process; prints tickets/s.
2. Intake: gunicorn (gevent) on the same database, wrk with pre-signed requests, alternating
   rounds against a client with no policy and one whose three policies (first on a calendar
   with US holidays) start three clocks per ticket; prints the median req/s of each, the ratio
   and the in-process time of the SLA step alone.

Needs PostgreSQL and wrk (``apt-get install wrk``). Not a test: it prints figures.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from ingest import free_port, flask, intake_requests, lua_script, reset_database, run_wrk  # noqa: E402

H = 3600


def app_for(url: str):
    from support import create_app
    return create_app({'SQLALCHEMY_DATABASE_URI': url, 'SUPPORT_REDIS_URL': None, 'TESTING': False,
                       'SECRET_KEY': 'bench'})


def _calendar(name: str, sets=(('US', ''),)):
    from support.calendars.models import Calendar, CalendarHolidaySet, CalendarInterval
    return Calendar(name=name, timezone='America/Chicago',
                    intervals=[CalendarInterval(weekday=d, start_second=9 * H, end_second=18 * H) for d in range(5)],
                    holiday_sets=[CalendarHolidaySet(country=c, subdivision=s) for c, s in sets])


def setup_clients(app) -> dict:
    """Two clients: ``plain`` without policies, ``sla`` with three (the first on a US calendar)."""
    from support.clients.operations import create_client
    from support.core.extensions import db
    from support.sla.policies import create_policy
    with app.app_context():
        plain, plain_key, plain_secret = create_client('Plain', 'plain', intake_rate_limit='1000000/minute')
        client, key, secret = create_client('Covered', 'sla', intake_rate_limit='1000000/minute')
        calendar = _calendar('Chicago office')
        db.session.add(calendar)
        db.session.flush()
        create_policy(client, {'name': 'Urgent', 'conditions': {'priority': ['urgent']}, 'calendar_id': calendar.id,
                               'targets': {'first_response': H, 'resolution': 8 * H}})
        create_policy(client, {'name': 'Chat', 'conditions': {'channel': ['chat']}, 'calendar_id': calendar.id,
                               'targets': {'answer': 30, 'first_response': 5 * 60, 'resolution': 4 * H}})
        create_policy(client, {'name': 'Everything', 'conditions': {}, 'calendar_id': calendar.id,
                               'targets': {'first_response': 4 * H, 'next_response': 8 * H, 'resolution': 48 * H}})
        db.session.commit()
        return {'plain': (plain_key.key_id, plain_secret), 'sla': (key.key_id, secret), 'calendar': calendar.id,
                'client': client.id}


# --- 1. re-planning -----------------------------------------------------------------------------

def load_open_tickets(app, client_id: int, count: int) -> None:
    """``count`` open tickets with first-response and resolution clocks, a third of them waiting in a queue."""
    from support.core.extensions import db
    from support.routing.models import Queue
    from support.sla.models import Metric
    from support.sla.planning import plan
    from support.sla.policies import policies_for
    from support.calendars.operations import business_calendar
    with app.app_context():
        policy = policies_for(client_id)[-1]
        calendar = business_calendar(policy.calendar_id)
        queue = Queue(name='Bench', client_id=client_id, language='en', family='email')
        db.session.add(queue)
        db.session.commit()
        queue_id = queue.id
        engine = db.engine
    start = datetime.now(timezone.utc) - timedelta(seconds=10 * count)  # opened over the last hours: mostly due later
    base = _max_id(engine, 'tickets')
    customers = [{'id': base + i + 1, 'client_id': client_id, 'name': f'Customer {i}', 'email': f'c{i}@example.com',
                  'created_at': start} for i in range(count // 10 + 1)]
    with engine.begin() as conn:
        conn.execute(sa.text('SELECT 1'))
        _insert(conn, 'customers', customers)
    tickets, clocks, items = [], [], []
    for n in range(count):
        created = start + timedelta(seconds=10 * n)
        ticket_id = base + n + 1
        first = plan(created, policy.target(Metric.first_response), 0, 75, calendar)
        resolution = plan(created, policy.target(Metric.resolution), 0, 75, calendar)
        tickets.append({'id': ticket_id, 'client_id': client_id, 'customer_id': customers[n // 10]['id'],
                        'channel': 'email', 'language': 'en', 'language_source': 'given', 'priority': 'normal',
                        'status': 'new' if n % 3 else 'open', 'subject': f'Bench {n}', 'tags': [],
                        'created_at': created, 'updated_at': created, 'sla_due_at': first[0], 'sla_warn_at': first[1]})
        for metric, (due, warn), target in (('first_response', first, policy.target(Metric.first_response)),
                                            ('resolution', resolution, policy.target(Metric.resolution))):
            clocks.append({'ticket_id': ticket_id, 'client_id': client_id, 'metric': metric, 'sequence': 1,
                           'policy_id': policy.id, 'calendar_id': policy.calendar_id, 'target_seconds': target,
                           'status': 'active', 'started_at': created, 'due_at': due, 'warn_at': warn,
                           'paused_seconds': 0, 'updated_at': created})
        if n % 3 == 0:
            items.append({'ticket_id': ticket_id, 'queue_id': queue_id, 'state': 'waiting', 'client_id': client_id,
                          'customer_id': customers[n // 10]['id'], 'language': 'en', 'channel': 'email',
                          'sort_priority': 2, 'due_at': first[0], 'waiting_since': created, 'escalation': 0,
                          'excluded': [], 'updated_at': created})
    with engine.begin() as conn:
        for table, rows in (('tickets', tickets), ('sla_clocks', clocks), ('routing_items', items)):
            _insert(conn, table, rows)
        for table in ('customers', 'tickets'):
            conn.execute(sa.text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"))
        conn.execute(sa.text('ANALYZE'))


def _max_id(engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text(f'SELECT coalesce(max(id), 0) FROM {table}')).scalar()


def _insert(conn, table: str, rows: list[dict], chunk: int = 5000) -> None:
    from support.core.extensions import db
    target = db.metadata.tables[table]
    for i in range(0, len(rows), chunk):
        conn.execute(target.insert(), rows[i:i + chunk])


def replan_after_calendar_change(app, calendar_id: int) -> tuple[int, float, int]:
    """Open an hour earlier on weekdays; re-plan as the job would. ``(changed, seconds, clocks moved)``."""
    from support.calendars.models import CalendarInterval
    from support.calendars.signals import calendar_changed
    from support.core.extensions import db
    from support.sla import replan
    with app.app_context():
        db.session.execute(sa.update(CalendarInterval).where(CalendarInterval.calendar_id == calendar_id)
                           .values(start_second=8 * H, end_second=17 * H))
        db.session.execute(sa.text('UPDATE calendars SET version = version + 1 WHERE id = :id'), {'id': calendar_id})
        calendar_changed.send(calendar_id, calendar=None)
        db.session.commit()
        before = dict(db.session.execute(sa.text('SELECT id, due_at FROM sla_clocks')).all())
        db.session.commit()
        started = time.perf_counter()
        changed = replan.replan_calendar(calendar_id)
        elapsed = time.perf_counter() - started
        after = dict(db.session.execute(sa.text('SELECT id, due_at FROM sla_clocks')).all())
        moved = sum(before[i] != after[i] for i in before)
        assert moved, 'the re-plan moved nothing'
        return changed, elapsed, moved


# --- 2. intake with and without SLA ---------------------------------------------------------------

def intake_rounds(url: str, keys: dict, workers: int, connections: int, seconds: int, rounds: int) -> dict:
    port = free_port()
    env = dict(os.environ, SUPPORT_DATABASE_URL=url, SUPPORT_JOBS='memory', SUPPORT_SECRET_KEY='bench',
               SUPPORT_INSTANCE_PATH=tempfile.mkdtemp(prefix='support-sla-bench-'), SUPPORT_BIND=f'127.0.0.1:{port}',
               SUPPORT_WORKERS=str(workers), PYTHONPATH=ROOT)
    env.pop('SUPPORT_REDIS_URL', None)
    server = subprocess.Popen([os.path.join(ROOT, '.venv', 'bin', 'gunicorn'), '-c', 'gunicorn.conf.py', 'wsgi:app'],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f'http://127.0.0.1:{port}'
    figures = {'plain': [], 'sla': []}
    try:
        import requests
        for _ in range(150):
            try:
                requests.get(base + '/api/v1/health', timeout=5).raise_for_status()
                break
            except requests.RequestException:
                time.sleep(0.2)
        for round_ in range(rounds + 1):
            for mode in ('plain', 'sla') if round_ % 2 == 0 else ('sla', 'plain'):
                script = lua_script(intake_requests(*keys[mode]), '/api/v1/intake/tickets')
                cpu = _cpu_seconds(server.pid)
                result = run_wrk(base, script, connections, 2 if round_ == 0 else seconds)
                result['cpu_ms'] = (_cpu_seconds(server.pid) - cpu) / max(1, result['requests']) * 1000
                if round_:  # round 0 warms both up
                    figures[mode].append(result)
    finally:
        server.terminate()
        server.wait(15)
    return figures


def in_process_rounds(app, keys: dict, rounds: int, batch: int = 200) -> dict:
    """Alternating batches of intakes through the app itself (no HTTP server, no wrk): ms per request
    and SQL statements per request of each client, medians over ``rounds``."""
    from ingest import intake_requests
    from support.core.extensions import db
    counter = {'n': 0}

    def count(*args):
        counter['n'] += 1
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, 'before_cursor_execute', count)
    http = app.test_client()
    figures = {'plain': [], 'sla': []}
    try:
        for round_ in range(rounds + 1):
            for mode in ('plain', 'sla') if round_ % 2 == 0 else ('sla', 'plain'):
                signed = intake_requests(*keys[mode], count=batch)
                counter['n'] = 0
                started = time.perf_counter()
                for body, headers in signed:
                    assert http.post('/api/v1/intake/tickets', data=body, headers=headers).status_code == 201
                if round_:
                    figures[mode].append(((time.perf_counter() - started) / batch * 1000, counter['n'] / batch))
    finally:
        sa.event.remove(engine, 'before_cursor_execute', count)
    return {mode: (statistics.median(ms for ms, _n in runs), statistics.median(n for _ms, n in runs))
            for mode, runs in figures.items()}


def _cpu_seconds(master_pid: int) -> float:
    """User + system CPU of the gunicorn master's workers (from /proc), in seconds."""
    total = 0.0
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open(f'/proc/{pid}/stat') as handle:
                fields = handle.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:  # ppid
            total += (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')
    return total


def sla_step_cost(app, client_id: int, samples: int = 2000) -> float:
    """Microseconds per ``start_at_opening`` on a fresh (unflushed) ticket, nothing written."""
    from support.clients.models import Client
    from support.core.clock import utcnow
    from support.core.extensions import db
    from support.sla import clocks
    from support.tickets.models import Channel, LanguageSource, Priority, Ticket
    with app.app_context():
        client = db.session.get(Client, client_id)
        channels = [Channel.email, Channel.chat, Channel.web]
        clocks.policy_for(Ticket(client=client, channel=Channel.email, language='en', priority=Priority.normal))
        started = time.perf_counter()
        for n in range(samples):
            now = utcnow()
            ticket = Ticket(client=client, channel=channels[n % 3], language='en', language_source=LanguageSource.given,
                            priority=Priority.normal, subject='x', tags=[], created_at=now, updated_at=now)
            clocks.start_at_opening(ticket)
            db.session.expunge_all()
        return (time.perf_counter() - started) / samples * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--database', default='postgresql://postgres@127.0.0.1:5432/sla_bench')
    parser.add_argument('--tickets', type=int, default=100_000, help='open tickets to re-plan (0: skip)')
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--connections', type=int, default=32)
    parser.add_argument('--seconds', type=int, default=10)
    parser.add_argument('--rounds', type=int, default=3)
    args = parser.parse_args()
    reset_database(args.database)
    env = dict(os.environ, SUPPORT_DATABASE_URL=args.database, SUPPORT_SECRET_KEY='bench', PYTHONPATH=ROOT)
    flask(env, 'db', 'upgrade', 'heads')
    app = app_for(args.database)
    made = setup_clients(app)

    if args.tickets:
        started = time.perf_counter()
        load_open_tickets(app, made['client'], args.tickets)
        print(f'loaded {args.tickets} open tickets with 2 clocks each in {time.perf_counter() - started:.1f} s')
        changed, elapsed, moved = replan_after_calendar_change(app, made['calendar'])
        print(f're-plan after a calendar change: {changed} tickets changed in {elapsed:.1f} s = '
              f'{changed / elapsed:,.0f} tickets/s ({moved} clocks got another due time)')

    step = sla_step_cost(app, made['client'])
    inside = in_process_rounds(app, made, args.rounds)
    print(f'intake in process (test client, {args.rounds} alternating rounds of 200):')
    for mode, label in (('plain', 'without SLA'), ('sla', 'with SLA (3 clocks)')):
        print(f'  {label:<22}{inside[mode][0]:>8.2f} ms/request   {inside[mode][1]:.2f} SQL statements/request')
    print(f'  with / without (time): {inside["plain"][0] / inside["sla"][0]:.3f} of the throughput')
    figures = intake_rounds(args.database, made, args.workers, args.connections, args.seconds, args.rounds)
    plain = statistics.median(r['rps'] for r in figures['plain'])
    covered = statistics.median(r['rps'] for r in figures['sla'])
    print(f'intake, gunicorn gevent x{args.workers}, wrk -c{args.connections}, {args.rounds} rounds of {args.seconds} s '
          f'each, alternating:')
    for mode, rps in (('without SLA', plain), ('with SLA (3 clocks)', covered)):
        runs = figures['plain' if mode == 'without SLA' else 'sla']
        print(f'  {mode:<22}{rps:>9.1f} req/s   p99 {statistics.median(r["p99"] for r in runs):.1f} ms   '
              f'worker CPU {statistics.median(r["cpu_ms"] for r in runs):.1f} ms/request   '
              f'non-2xx {sum(r["non_2xx"] for r in runs)}')
    cpu = {mode: statistics.median(r['cpu_ms'] for r in figures[mode]) for mode in figures}
    print(f'  with / without: {covered / plain:.3f} of the throughput; worker CPU per request x{cpu["sla"] / cpu["plain"]:.3f}')
    print(f'  the SLA step alone, in process: {step:.0f} us per ticket')


if __name__ == '__main__':
    main()

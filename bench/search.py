"""Full-text search at 100k tickets and 300k messages on PostgreSQL, next to a read ceiling in the same run.

    .venv/bin/python bench/search.py [--database postgresql://postgres@127.0.0.1:5432/search_bench]
                                     [--tickets 100000] [--workers 2] [--connections 8] [--seconds 8] [--reuse]

1. Builds the schema with the migrations (generated tsvector columns, GIN indexes), loads
   ``--tickets`` tickets with ``support.tickets.volume`` (one to five messages each: 300k messages
   at 100k tickets), then rewrites subjects and bodies into varied text (Spanish for Spanish
   tickets, English for English ones): common support words, topic words of a 1,000-word
   vocabulary (each in about 0.3% of messages) and a serial number per message (rare), so a query's
   selectivity is known; the generated columns recompute; ANALYZE.
2. Prints EXPLAIN (ANALYZE, BUFFERS) of the search statement for a few queries.
3. Serves with gunicorn (gevent, ``--workers``) and drives ``GET /api/v1/search`` with wrk at
   ``--connections`` connections for each query (as an agent who serves the largest client),
   beside ``GET /api/v1/bench/rows`` (the least a request costs), the ticket list's ``q=`` and the open
   tickets of the largest client (``GET /api/v1/tickets?client=…&status=…``, issue 13's listing target).
   ``--reuse`` keeps the database of an earlier run when it is loaded (step 1 is skipped).

Needs PostgreSQL and wrk. Not a test: it prints figures; on a shared machine only ratios within
one run mean much.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time
from urllib.parse import urlencode

import requests
import sqlalchemy as sa

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import listing  # noqa: E402  (bench/listing.py: loading, serving, wrk)
from listing import load, measure, reset_database, start_server  # noqa: E402

COMMON_ES = ('módem', 'router', 'señal', 'internet', 'factura', 'teléfono', 'reinicié', 'conexión', 'luz',
             'técnico', 'contraseña', 'cable', 'pago', 'cobro', 'velocidad', 'lento', 'visita', 'equipo',
             'cuenta', 'servicio')
COMMON_EN = ('modem', 'router', 'signal', 'internet', 'invoice', 'phone', 'restarted', 'connection', 'light',
             'technician', 'password', 'cable', 'payment', 'charge', 'speed', 'slow', 'visit', 'device',
             'account', 'service')
SYLLABLES = ('ra', 'te', 'lo', 'mi', 'su', 'ko', 'na', 'vi', 'de', 'pu')
TOPICS = [a + b + c for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES]  # 1,000 made-up words

_TEXT = """
UPDATE messages SET body = concat_ws(' ',
    (CAST(:common_{lang} AS text[]))[1 + (id * 7) % 20], (CAST(:common_{lang} AS text[]))[1 + (id * 11 + 3) % 20],
    (CAST(:topics AS text[]))[1 + (id * 13) % 1000], (CAST(:filler_{lang} AS text[]))[1 + id % 4],
    (CAST(:topics AS text[]))[1 + (id * 17 + 5) % 1000], (CAST(:common_{lang} AS text[]))[1 + (id * 19 + 1) % 20],
    (CAST(:topics AS text[]))[1 + (id * 23 + 7) % 1000], 'SN' || (100000 + id), '.')
WHERE language = :lang
"""
_SUBJECTS = """
UPDATE tickets SET subject = concat_ws(' ', (CAST(:common_{lang} AS text[]))[1 + (id * 3) % 20],
    (CAST(:topics AS text[]))[1 + (id * 29) % 1000])
WHERE language = :lang
"""
FILLER = {'es': ['no funciona desde ayer', 'sigue igual', 'ya lo intenté dos veces', 'necesito ayuda'],
          'en': ['not working since yesterday', 'still the same', 'tried twice already', 'please help']}

# (label, q, extra filters)
CASES = [
    ('rare: a serial number', 'SN100777', {}),
    ('topic word (~0.3% of messages)', 'ratelo', {}),
    ('topic word, no accents typed', 'kosumi', {'language': 'es'}),
    ('two topic words', 'ratelo kosumi', {}),
    ('accent-free Spanish + topic', 'telefono ravina', {}),
    ('phrase', '"sigue igual"', {'status': ['new', 'open', 'pending']}),
    ('prefix (typing)', 'ratel*', {}),
    ('common word + status open', 'modems', {'status': ['new', 'open', 'pending']}),
    ('common word (~10% of messages)', 'reiniciar', {}),
]


def vary_text(url: str) -> float:
    engine = sa.create_engine(url.replace('postgresql://', 'postgresql+psycopg://'))
    started = time.perf_counter()
    params = {'topics': TOPICS, 'common_es': list(COMMON_ES), 'common_en': list(COMMON_EN),
              'filler_es': FILLER['es'], 'filler_en': FILLER['en']}
    with engine.begin() as conn:
        for lang in ('es', 'en'):
            conn.execute(sa.text(_TEXT.format(lang=lang)), {**params, 'lang': lang})
            conn.execute(sa.text(_SUBJECTS.format(lang=lang)), {**params, 'lang': lang})
    with engine.connect().execution_options(isolation_level='AUTOCOMMIT') as conn:
        for table in ('tickets', 'messages', 'customers'):
            conn.execute(sa.text(f'VACUUM ANALYZE {table}'))
    engine.dispose()
    return time.perf_counter() - started


def explain(url: str, q: str) -> str:
    """The plan of the search page statement, run as the API runs it."""
    from support import create_app
    from support.agents.models import Agent
    from support.core.extensions import db
    from support.tickets import search
    app = create_app({'SQLALCHEMY_DATABASE_URI': url, 'SUPPORT_REDIS_URL': None, 'SECRET_KEY': 'bench'})
    captured = []
    with app.test_request_context():
        agent = db.session.scalar(sa.select(Agent).where(Agent.email == 'floor@bench.example'))

        @sa.event.listens_for(db.engine, 'before_cursor_execute')
        def grab(conn, cursor, statement, parameters, context, executemany):
            if 'ranked' in statement:
                captured.append((statement, parameters))
        search.search_page(agent, {'q': q, 'limit': 50})
        sa.event.remove(db.engine, 'before_cursor_execute', grab)
        statement, parameters = captured[0]
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(str(search._SERIAL_PLANS))  # the settings search_page runs its statement with
            cursor.execute('EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ' + statement, parameters)
            return '\n'.join(row[0] for row in cursor.fetchall())
        finally:
            raw.close()


def matches(url: str, q: str) -> int:
    engine = sa.create_engine(url.replace('postgresql://', 'postgresql+psycopg://'))
    with engine.connect() as conn:
        count = conn.scalar(sa.text("SELECT count(DISTINCT ticket_id) FROM messages WHERE search_vector @@ "
                                    "(phraseto_tsquery('spanish', support_unaccent(:q)) || "
                                    "phraseto_tsquery('english', support_unaccent(:q)))"), {'q': q.strip('"*')})
    engine.dispose()
    return count


def loaded(url: str) -> dict | None:
    """What ``load`` returns, read from the database of an earlier run (None when there is none)."""
    engine = sa.create_engine(url.replace('postgresql://', 'postgresql+psycopg://'))
    try:
        with engine.connect() as conn:
            counts = conn.execute(sa.text(
                "SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM messages), (SELECT count(*) FROM tickets "
                "WHERE client_id = (SELECT id FROM clients WHERE slug = 'cablevision'))")).one()
    except sa.exc.SQLAlchemyError:
        return None
    finally:
        engine.dispose()
    if not counts[0]:
        return None
    from support import create_app
    from support.agents.auth import issue_token
    from support.agents.models import Agent
    from support.core.extensions import db
    app = create_app({'SQLALCHEMY_DATABASE_URI': url, 'SUPPORT_REDIS_URL': None, 'SECRET_KEY': 'bench'})
    with app.app_context():
        agent = db.session.scalar(sa.select(Agent).where(Agent.email == 'floor@bench.example'))
        return {'token': issue_token(agent), 'big': 'cablevision', 'tickets': counts[0], 'messages': counts[1],
                'big_tickets': counts[2]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--database', default='postgresql://postgres@127.0.0.1:5432/search_bench')
    parser.add_argument('--tickets', type=int, default=100_000)
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--connections', type=int, default=8)
    parser.add_argument('--seconds', type=int, default=8)
    parser.add_argument('--plans', default='ratelo,telefono ravina,modems')
    parser.add_argument('--port', type=int, default=0, help='serve on this port (default: any free one)')
    parser.add_argument('--reuse', action='store_true', help='keep the database of an earlier run when it is loaded')
    args = parser.parse_args()
    if args.port:
        listing.free_port = lambda: args.port
    if not shutil.which('wrk'):
        sys.exit('wrk is needed: apt-get install wrk')
    made = loaded(args.database) if args.reuse else None
    if made:
        print(f'reused {made["tickets"]:,} tickets and {made["messages"]:,} messages (largest client: '
              f'{made["big_tickets"]:,} tickets); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores')
    else:
        reset_database(args.database)
        env = dict(os.environ, SUPPORT_DATABASE_URL=args.database, SUPPORT_SECRET_KEY='bench', PYTHONPATH=ROOT)
        subprocess.run([os.path.join(ROOT, '.venv', 'bin', 'flask'), '--app', 'wsgi', 'db', 'upgrade', 'heads'],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        made = load(args.database, args.tickets)
        varied = vary_text(args.database)
        print(f'loaded {made["tickets"]:,} tickets and {made["messages"]:,} messages in {made["loaded_s"]:.1f} s, '
              f'text varied and re-indexed in {varied:.1f} s (largest client: {made["big_tickets"]:,} tickets); '
              f'load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores')
    for q in args.plans.split(','):
        print(f'\n-- EXPLAIN ANALYZE of the search page for q={q!r}\n{explain(args.database, q)}')
    server, base, log = start_server(args.database, args.workers)
    rows = []
    try:
        headers = {'Authorization': f'Bearer {made["token"]}'}
        ceiling = measure(server, base, '/api/v1/bench/rows', None, args.connections, args.seconds)
        rows.append(('ceiling: 50 rows by id, no auth', None, ceiling))
        for label, q, extra in CASES:
            path = '/api/v1/search?' + urlencode({'q': q, **extra}, doseq=True)
            found = requests.get(base + path, headers=headers, timeout=30).json()
            assert 'items' in found, found
            figures = measure(server, base, path, made['token'], args.connections, args.seconds)
            figures['hits'] = len(found['items'])
            rows.append((label, q, figures))
        listed = '/api/v1/tickets?' + urlencode({'q': 'ratelo', 'client': made['big']})
        rows.append(('ticket list q=ratelo, client', 'ratelo', measure(server, base, listed, made['token'],
                                                                      args.connections, args.seconds)))
        opened = '/api/v1/tickets?' + urlencode({'client': made['big'], 'status': 'open'})
        rows.append(('list: open tickets of a client', None, measure(server, base, opened, made['token'],
                                                                     args.connections, args.seconds)))
        rows.append(('ceiling again', None, measure(server, base, '/api/v1/bench/rows', None, args.connections,
                                                    args.seconds)))
    except Exception:
        print(open(log).read()[-3000:], file=sys.stderr)
        raise
    finally:
        server.terminate()
        server.wait(15)
    top = rows[0][2]['rps']
    print(f'\ngunicorn gevent x{args.workers}, wrk -t1 -c{args.connections} -d{args.seconds}s per line; '
          f'GET /api/v1/search as an agent serving the largest client, 50 a page')
    print(f'{"search":<34}{"tickets matching":>17}{"req/s":>9}{"p50 ms":>9}{"p99 ms":>9}{"CPU ms/req":>12}'
          f'{"x ceiling":>11}{"non-2xx":>9}')
    for label, q, figures in rows:
        total = matches(args.database, q) if q else ''
        print(f'{label:<34}{total:>17}{figures["rps"]:>9.1f}{figures["p50"]:>9.2f}{figures["p99"]:>9.2f}'
              f'{figures["cpu_ms"]:>12.2f}{figures["rps"] / top:>11.2f}{int(figures["non_2xx"]):>9}')
    print(f'load average now {os.getloadavg()[0]:.1f}')


if __name__ == '__main__':
    main()

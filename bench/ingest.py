"""Signed intake under load, against the production server, next to its ceiling.

Starts ``gunicorn -c gunicorn.conf.py wsgi:app`` on PostgreSQL, then drives it with
wrk (a standard HTTP load tool): first ``POST /api/v1/intake/tickets`` with signed,
varied bodies, then ``POST /api/v1/bench/insert`` (validate a small JSON body and
insert one row: the ceiling for a writing request on this stack). Prints tickets/s
and p50/p99 latency for both and the ratio.

    .venv/bin/python bench/ingest.py [--database postgresql://postgres@127.0.0.1:5432/support_bench]
                                     [--workers 2] [--connections 32] [--seconds 15]

Needs wrk (``apt-get install wrk``) and PostgreSQL. Not a test: it prints figures.
"""
import argparse
import json
import os
import re
import shutil
import socket
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
    """A wrk script cycling through pre-signed requests (signatures stay valid for 300 s; a signed
    request is taken once, so intake gets enough distinct ones for the whole run)."""
    lines = ['local reqs = {}']
    for body, headers in requests_:
        hdr = ', '.join(f'["{k}"] = {json.dumps(v)}' for k, v in headers.items())
        lines.append(f'table.insert(reqs, wrk.format("POST", "{path}", {{{hdr}}}, {json.dumps(body)}))')
    lines += ['local i = 0', 'request = function()', '  i = i % #reqs + 1', '  return reqs[i]', 'end']
    return '\n'.join(lines)


def intake_requests(key_id: str, secret: str, count: int = 200, start: int = 0):
    now = int(time.time())
    result = []
    for i in range(start, start + count):
        body = json.dumps({'subject': SUBJECTS[i % len(SUBJECTS)], 'channel': ['email', 'chat', 'web'][i % 3],
                           'body': f'{SUBJECTS[i % len(SUBJECTS)]}. Reference {i}.',
                           'customer': {'name': f'Customer {i}', 'email': f'customer{i}@example.com'}})
        result.append((body, {'Content-Type': 'application/json', 'X-Support-Key': key_id,
                              'X-Support-Timestamp': str(now), 'X-Support-Signature': sign(secret, now, body.encode())}))
    return result


def run_wrk(url: str, script: str, connections: int, seconds: int) -> dict:
    with tempfile.NamedTemporaryFile('w', suffix='.lua', delete=False) as handle:
        handle.write(script)
    out = subprocess.run(['wrk', '-t2', f'-c{connections}', f'-d{seconds}s', '--latency', '-s', handle.name, url],
                         check=True, capture_output=True, text=True).stdout
    os.unlink(handle.name)
    return parse_wrk(out)


def _ms(value: str) -> float:
    number, unit = re.match(r'([\d.]+)(us|ms|s)', value).groups()
    return float(number) * {'us': 0.001, 'ms': 1, 's': 1000}[unit]


def parse_wrk(out: str) -> dict:
    if 'Requests/sec' not in out or '50%' not in out:
        raise RuntimeError('wrk printed no figures:\n' + out)
    requests_total = int(re.search(r'(\d+) requests in', out).group(1))
    errors = re.search(r'Non-2xx or 3xx responses: (\d+)', out)
    return {'rps': float(re.search(r'Requests/sec:\s+([\d.]+)', out).group(1)),
            'p50': _ms(re.search(r'50%\s+(\S+)', out).group(1)), 'p99': _ms(re.search(r'99%\s+(\S+)', out).group(1)),
            'requests': requests_total, 'non_2xx': int(errors.group(1)) if errors else 0}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--database', default='postgresql://postgres@127.0.0.1:5432/support_bench')
    parser.add_argument('--workers', type=int, default=os.cpu_count() or 2)
    parser.add_argument('--connections', type=int, default=32)
    parser.add_argument('--seconds', type=int, default=15)
    args = parser.parse_args()
    if not shutil.which('wrk'):
        sys.exit('wrk is needed: apt-get install wrk')
    reset_database(args.database)
    port = free_port()
    env = dict(os.environ, SUPPORT_DATABASE_URL=args.database, SUPPORT_BENCH='1', SUPPORT_JOBS='memory',
               SUPPORT_INSTANCE_PATH=tempfile.mkdtemp(prefix='support-bench-'), SUPPORT_BIND=f'127.0.0.1:{port}',
               SUPPORT_WORKERS=str(args.workers), SUPPORT_SECRET_KEY='bench', PYTHONPATH=ROOT)
    env.pop('SUPPORT_REDIS_URL', None)
    flask(env, 'db', 'upgrade', 'heads')
    creds = json.loads(flask(env, 'support', 'create-client', '--name', 'Bench', '--slug', 'bench',
                             '--rate-limit', '1000000/minute'))
    server = subprocess.Popen([os.path.join(ROOT, '.venv', 'bin', 'gunicorn'), '-c', 'gunicorn.conf.py', 'wsgi:app'],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(env["SUPPORT_INSTANCE_PATH"], "server.log"), "w"))
    base = f'http://127.0.0.1:{port}'
    try:
        for _ in range(100):
            try:
                requests.get(base + "/api/v1/health", timeout=5).raise_for_status()
                break
            except requests.RequestException:
                time.sleep(0.2)
        per_second = 3000  # more distinct signed requests than this stack serves in a second
        warm_up = intake_requests(creds['key_id'], creds['secret'], 3 * per_second)
        run_wrk(base, lua_script(warm_up, '/api/v1/intake/tickets'), args.connections, 3)
        signed = intake_requests(creds['key_id'], creds['secret'], args.seconds * per_second, start=len(warm_up))
        intake = run_wrk(base, lua_script(signed, '/api/v1/intake/tickets'), args.connections, args.seconds)
        minimal = [(json.dumps({'subject': b['subject'] if isinstance(b, dict) else 'x', 'body': 'y'}),
                    {'Content-Type': 'application/json'}) for b in ({'subject': s} for s in SUBJECTS)]
        run_wrk(base, lua_script(minimal, '/api/v1/bench/insert'), args.connections, 3)
        ceiling = run_wrk(base, lua_script(minimal, '/api/v1/bench/insert'), args.connections, args.seconds)
    except Exception:
        print(open(os.path.join(env['SUPPORT_INSTANCE_PATH'], 'server.log')).read()[-3000:], file=sys.stderr)
        raise
    finally:
        server.terminate()
        server.wait(10)
    engine = sa.create_engine(args.database.replace('postgresql://', 'postgresql+psycopg://'))
    with engine.connect() as conn:
        tickets = conn.execute(sa.text('SELECT count(*) FROM tickets')).scalar()
    print(f'server: gunicorn gevent x{args.workers} on PostgreSQL; wrk -t2 -c{args.connections} -d{args.seconds}s')
    print(f'{"path":<28}{"req/s":>10}{"p50 ms":>10}{"p99 ms":>10}{"non-2xx":>10}')
    for name, figures in (('signed intake (full)', intake), ('minimal validated insert', ceiling)):
        print(f'{name:<28}{figures["rps"]:>10.1f}{figures["p50"]:>10.2f}{figures["p99"]:>10.2f}{figures["non_2xx"]:>10}')
    print(f'tickets created (incl. warm-up): {tickets}')
    print(f'intake / ceiling: {intake["rps"] / ceiling["rps"]:.2f}')


if __name__ == '__main__':
    main()

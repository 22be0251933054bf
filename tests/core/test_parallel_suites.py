"""Two suites side by side on one PostgreSQL server and one Redis never meet (CI runs this).

Two pytest processes run tests/core/isolation_probe.py's PostgreSQL part at the same time
against the same ``SUPPORT_TEST_DATABASE_URL`` (and ``SUPPORT_TEST_REDIS_URL``): both pass,
each in a database of its own, and both databases are gone afterwards.
"""
import os
import re
import subprocess
import sys

import pytest

from ..conftest import SERVER_URL, _admin
from ..servers import ROOT

pytestmark = pytest.mark.skipif(not SERVER_URL, reason='SUPPORT_TEST_DATABASE_URL is not set')


def _suite_env() -> dict:
    """The environment a fresh ``./scripts/test`` would have: no worker's or parent run's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(('PYTEST_', 'SUPPORT_'))}
    env['SUPPORT_TEST_DATABASE_URL'] = SERVER_URL
    if os.environ.get('SUPPORT_TEST_REDIS_URL'):
        env['SUPPORT_TEST_REDIS_URL'] = os.environ['SUPPORT_TEST_REDIS_URL']
    return env


def test_two_suites_at_once_on_one_server_both_pass_in_their_own_databases():
    command = [sys.executable, '-m', 'pytest', '-p', 'no:xdist', '-p', 'no:cacheprovider', '-q', '-s',
               '-k', 'postgresql', os.path.join('tests', 'core', 'isolation_probe.py')]
    runs = [subprocess.Popen(command, cwd=ROOT, env=_suite_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=240)[0] for run in runs]
    for run, output in zip(runs, outputs):
        assert run.returncode == 0, output[-3000:]
        assert re.search(r'\b6 passed\b', output), output[-2000:]
    databases = [set(re.findall(r'PROBE-DATABASE (\S+)', output)) for output in outputs]
    assert all(len(names) == 1 for names in databases), databases
    first, second = databases[0].pop(), databases[1].pop()
    assert first != second and SERVER_URL.rpartition('/')[2] not in (first, second)
    with _admin(SERVER_URL) as conn:
        left = conn.execute('SELECT datname FROM pg_database WHERE datname IN (%s, %s)', (first, second)).fetchall()
    assert left == []

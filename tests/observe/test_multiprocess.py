"""Under gunicorn with several workers (PROMETHEUS_MULTIPROC_DIR), a scrape of any worker
answers every worker's counts, also those of workers that have since died."""
import glob
import os
import signal
import subprocess
import tempfile
import time

import requests
from prometheus_client.parser import text_string_to_metric_families

from ..servers import ROOT, VENV_BIN, wait_until_up

PORT = 5121
TOKEN = 'multiprocess-token'


def _env(multiproc_dir: str) -> dict:
    instance = tempfile.mkdtemp(prefix='support-metrics-')
    env = {k: v for k, v in os.environ.items() if not k.startswith(('SUPPORT_', 'FLASK_', 'PROMETHEUS_'))}
    env.update({'SUPPORT_INSTANCE_PATH': instance, 'SUPPORT_JOBS': 'sqlite', 'SUPPORT_SECRET_KEY': 's' * 48,
                'SUPPORT_DATABASE_URL': 'sqlite:///' + os.path.join(instance, 'support.sqlite'),
                'SUPPORT_WORKERS': '2', 'SUPPORT_WORKER_CLASS': 'gthread', 'SUPPORT_THREADS': '4',
                'SUPPORT_METRICS_TOKEN': TOKEN, 'PROMETHEUS_MULTIPROC_DIR': multiproc_dir})
    return env


def _live_count(url: str) -> float:
    text = requests.get(url + '/metrics', headers={'Authorization': f'Bearer {TOKEN}'}, timeout=10).text
    return sum(s.value for family in text_string_to_metric_families(text) for s in family.samples
               if s.name == 'support_http_requests_total' and s.labels.get('route') == '/api/v1/health/live')


def _workers(master: int) -> set[int]:
    out = subprocess.run(['ps', '--ppid', str(master), '-o', 'pid='], capture_output=True, text=True).stdout
    return {int(pid) for pid in out.split()}


def test_every_worker_counts_and_a_scrape_adds_them_up(tmp_path):
    url = f'http://127.0.0.1:{PORT}'
    process = subprocess.Popen([os.path.join(VENV_BIN, 'gunicorn'), '-c', 'gunicorn.conf.py', '-b',
                                f'127.0.0.1:{PORT}', 'wsgi:app'], cwd=ROOT, env=_env(str(tmp_path)),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until_up(url, timeout=60, process=process)
        deadline = time.monotonic() + 30
        while len(_workers(process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        for _ in range(20):
            assert requests.get(url + '/api/v1/health/live', timeout=10).status_code == 200
        assert [_live_count(url) for _ in range(4)] == [20] * 4  # whichever worker answers
        files = glob.glob(os.path.join(tmp_path, 'counter_*.db'))
        assert files, 'each worker writes its counters in the directory'
        before = _workers(process.pid)
        for pid in before:
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while (not (_workers(process.pid) - before) or len(_workers(process.pid)) < 2) and time.monotonic() < deadline:
            time.sleep(0.2)
        wait_until_up(url, timeout=30, process=process)
        assert _live_count(url) == 20  # answered by new workers, from the dead workers' files
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(20)


def test_child_exit_drops_the_live_files_of_the_worker_that_exited(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from support import gunicorn_conf
    monkeypatch.setenv('PROMETHEUS_MULTIPROC_DIR', str(tmp_path))
    for name in ('gauge_livesum_4242.db', 'gauge_liveall_4242.db', 'counter_4242.db', 'gauge_livesum_4343.db'):
        (tmp_path / name).write_bytes(b'')
    gunicorn_conf.child_exit(None, SimpleNamespace(pid=4242))
    assert sorted(p.name for p in tmp_path.iterdir()) == ['counter_4242.db', 'gauge_livesum_4343.db']

"""A built wheel is a whole install: it builds without warnings, carries the compiled Spanish
catalog, and installed into a venv outside the checkout it serves Spanish answers.

The venv is made without pip and reuses the dependencies of the running one through a plain
``.pth`` path (no network, no index); ``support`` itself comes only from the wheel.
"""
import glob
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import zipfile

import pytest
import requests

from .servers import ROOT, free_port, wait_until_up

SPANISH_422 = 'Algunos campos no son válidos.'


def _hermetic_env(**extra) -> dict:
    """No pip configuration or index, no bytecode setting; nothing of the checkout's SUPPORT_* settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(('SUPPORT_', 'FLASK_', 'PIP_', 'PYTHON')) and k != 'VIRTUAL_ENV'}
    env.update({'PIP_CONFIG_FILE': os.devnull, 'PIP_NO_INDEX': '1', 'PIP_DISABLE_PIP_VERSION_CHECK': '1', **extra})
    return env


def _copy_sources(target: str) -> list[str]:
    """The files git would ship (tracked and new, not ignored): no build/, no .mo, no .venv."""
    listed = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split('\0')
    for name in filter(None, listed):
        source = os.path.join(ROOT, name)
        if os.path.isfile(source):
            os.makedirs(os.path.join(target, os.path.dirname(name)), exist_ok=True)
            shutil.copy2(source, os.path.join(target, name))
    return [name for name in listed if name]


@pytest.fixture(scope='module')
def built(tmp_path_factory):
    if shutil.which('git') is None or not os.path.isdir(os.path.join(ROOT, '.git')) and not os.path.isfile(
            os.path.join(ROOT, '.git')):
        pytest.skip('needs a git checkout to list the sources')
    work = tmp_path_factory.mktemp('wheel')
    source, dist = str(work / 'src'), str(work / 'dist')
    sources = _copy_sources(source)
    build = subprocess.run([sys.executable, '-m', 'pip', 'wheel', '-v', '--no-deps', '--no-build-isolation',
                            '-w', dist, source], cwd=str(work), env=_hermetic_env(), capture_output=True,
                           text=True, timeout=300)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    wheel, = glob.glob(os.path.join(dist, 'support-*.whl'))
    return wheel, build.stdout + build.stderr, str(work), sources


def test_the_wheel_builds_without_warnings(built):
    _wheel, output, _work, _sources = built
    noisy = [line for line in output.splitlines()
             if 'warning' in line.lower() or 'is absent from the' in line or 'deprecat' in line.lower()]
    assert noisy == []


def test_the_wheel_carries_the_compiled_catalogs_and_the_package_data(built):
    wheel, _output, _work, sources = built
    names = set(zipfile.ZipFile(wheel).namelist())
    package_files = {name for name in sources if name.startswith('support/') and os.path.isfile(os.path.join(ROOT, name))}
    assert package_files - names == set()  # every template, static file, font... ships, without a line in setup.cfg
    assert 'support/translations/es/LC_MESSAGES/messages.mo' in names
    assert {'support/migrations/alembic.ini', 'support/migrations/script.py.mako', 'support/wsgi.py',
            'support/gunicorn_conf.py', 'support/console/templates/console/console.html',
            'support/console/static/console.js', 'support/console/static/vendor/socket.io.min.js'} <= names
    assert not [name for name in names if name.startswith(('tests/', 'bench/')) or '__pycache__' in name]


def test_the_installed_wheel_serves_spanish_outside_the_checkout(built):
    wheel, _output, work, _sources = built
    venv, home = os.path.join(work, 'venv'), tempfile.mkdtemp(prefix='support-wheel-home-')
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', venv], check=True, timeout=120)
    python = os.path.join(venv, 'bin', 'python')
    purelib = subprocess.run([python, '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
                             capture_output=True, text=True, check=True).stdout.strip()
    with open(os.path.join(purelib, 'dependencies.pth'), 'w') as pth:  # a plain path: its .pth files stay unread
        pth.write(sysconfig.get_paths()['purelib'] + '\n')
    subprocess.run([sys.executable, '-m', 'pip', '--python', python, 'install', '--no-deps', wheel],
                   env=_hermetic_env(), check=True, capture_output=True, timeout=300)
    env = _hermetic_env(SUPPORT_INSTANCE_PATH=home, SUPPORT_SECRET_KEY='wheel-test', SUPPORT_JOBS='memory',
                        SUPPORT_DATABASE_URL='sqlite:///' + os.path.join(home, 'wheel.sqlite'))
    where = subprocess.run([python, '-c', 'import support; print(support.__file__)'], cwd=home, env=env,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert where.startswith(venv) and not where.startswith(ROOT)
    defaults = {k: v for k, v in env.items() if k not in ('SUPPORT_INSTANCE_PATH', 'SUPPORT_DATABASE_URL')}
    probe = ('import os; from support import create_app; from support.core.jobs import huey; '
             'print(os.path.dirname(huey.storage.filename) == create_app().instance_path)')
    beside = subprocess.run([python, '-c', probe], cwd=home, env={**defaults, 'SUPPORT_JOBS': 'sqlite'},
                            capture_output=True, text=True, timeout=120)
    assert beside.stdout.strip() == 'True', beside.stderr[-2000:]  # the job queue sits beside the database
    support = os.path.join(venv, 'bin', 'support')
    upgraded = subprocess.run([support, 'db', 'upgrade'], cwd=home, env=env, capture_output=True, text=True,
                              timeout=120)
    assert upgraded.returncode == 0, upgraded.stderr[-2000:]
    port = free_port()
    server = subprocess.Popen([support, 'serve', '--port', str(port)], cwd=home, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until_up(f'http://127.0.0.1:{port}', timeout=60, process=server)
        answer = requests.post(f'http://127.0.0.1:{port}/api/v1/auth/token', json={},
                               headers={'Accept-Language': 'es'}, timeout=10)
        assert answer.status_code == 422
        assert answer.json()['error']['message'] == SPANISH_422
    finally:
        server.terminate()
        server.wait(30)

"""The deployment examples in deploy/ are well formed and point at what the package really ships."""
import configparser
import importlib.util
import json
import os
import re
import shlex

import pytest

from .servers import ROOT

DEPLOY = os.path.join(ROOT, 'deploy')
INSTRUCTIONS = {'FROM', 'RUN', 'CMD', 'LABEL', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER',
                'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL'}
SYSTEMD_SERVICE_KEYS = {'Type', 'User', 'Group', 'WorkingDirectory', 'EnvironmentFile', 'Environment', 'ExecStart',
                        'ExecReload', 'KillMode', 'KillSignal', 'TimeoutStopSec', 'Restart', 'RestartSec',
                        'LimitNOFILE', 'NoNewPrivileges', 'PrivateTmp', 'ProtectSystem', 'ProtectHome',
                        'ReadWritePaths', 'RuntimeDirectory', 'RuntimeDirectoryPreserve'}


def _unit(name: str) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None, empty_lines_in_values=False)
    unit.optionxform = str  # systemd keys are case-sensitive
    with open(os.path.join(DEPLOY, name), encoding='utf-8') as text:
        unit.read_file(text)
    return unit


@pytest.mark.parametrize('name, program', [('support@.service', 'gunicorn'), ('support-worker.service', 'support')])
def test_systemd_units_start_the_installed_service(name, program):
    unit = _unit(name)
    assert unit.sections() == ['Unit', 'Service', 'Install']
    service = unit['Service']
    assert set(service) <= SYSTEMD_SERVICE_KEYS, set(service) - SYSTEMD_SERVICE_KEYS
    argv = shlex.split(service['ExecStart'])
    assert os.path.isabs(argv[0]) and os.path.basename(argv[0]) == program
    if program == 'gunicorn':
        assert argv[1:] == ['-c', 'python:support.gunicorn_conf', 'support.wsgi:app']
    else:
        assert argv[1] == 'worker'
    assert service['Restart'] == 'on-failure' and service['EnvironmentFile'].startswith('/')
    assert unit['Install']['WantedBy'] == 'multi-user.target'
    if name.endswith('@.service'):  # one instance per port: support@8001
        with open(os.path.join(DEPLOY, name), encoding='utf-8') as text:  # Environment= repeats
            assert 'Environment=SUPPORT_BIND=127.0.0.1:%i' in text.read().splitlines()


def _instructions(path: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    steps, pending = [], ''
    with open(path, encoding='utf-8') as text:
        for line in text:
            stripped = line.strip()
            if not pending and (not stripped or stripped.startswith('#')):
                continue
            pending += stripped[:-1] + ' ' if stripped.endswith('\\') else stripped
            if not stripped.endswith('\\'):
                keyword, _sep, rest = pending.partition(' ')
                steps.append((keyword, rest.strip()))
                pending = ''
    assert pending == '', 'a continuation line ends the file'
    return steps


def test_the_containerfile_is_valid_and_copies_what_exists():
    steps = _instructions(os.path.join(DEPLOY, 'Containerfile'))
    assert {keyword for keyword, _ in steps} <= INSTRUCTIONS
    assert steps[0][0] == 'FROM' and sum(k == 'FROM' for k, _ in steps) == 2
    stages = {rest.split()[-1] for keyword, rest in steps if keyword == 'FROM' and ' AS ' in rest}
    for keyword, rest in steps:
        if keyword == 'COPY':
            parts = rest.split()
            sources = parts[:-1]
            if sources[0].startswith('--from='):
                assert sources[0].split('=', 1)[1] in stages
                continue
            for source in sources:
                assert os.path.exists(os.path.join(ROOT, source)), source
    commands = {keyword: json.loads(rest) for keyword, rest in steps if keyword == 'CMD'}
    assert commands['CMD'] == ['gunicorn', '-c', 'python:support.gunicorn_conf', 'support.wsgi:app']
    healthcheck = next(rest for keyword, rest in steps if keyword == 'HEALTHCHECK')
    assert json.loads(healthcheck[healthcheck.index('CMD') + 3:].strip())[0] == 'python'
    assert any('--require-hashes -r /tmp/production.txt' in rest for keyword, rest in steps if keyword == 'RUN')


def test_the_examples_name_modules_the_package_has():
    for module in ('support.gunicorn_conf', 'support.wsgi'):
        assert importlib.util.find_spec(module.rpartition('.')[0]) is not None
        assert os.path.isfile(os.path.join(ROOT, *module.split('.')) + '.py')


def test_the_nginx_example_keeps_socket_io_sessions_on_one_process():
    with open(os.path.join(DEPLOY, 'nginx.conf'), encoding='utf-8') as text:
        conf = text.read()
    assert conf.count('{') == conf.count('}')
    assert re.search(r'upstream support \{[^}]*\bip_hash;', conf)
    socket_io = re.search(r'location /socket\.io/ \{([^}]*)\}', conf).group(1)
    assert 'proxy_set_header Upgrade $http_upgrade;' in socket_io and 'proxy_http_version 1.1;' in socket_io

"""The lock files (requirements/*.txt, written by scripts/lock) cover what setup.cfg asks for.

scripts/demo and scripts/test install only from a lock (``--require-hashes``), so a dependency
added to setup.cfg but not locked would be missing from every fresh install.
"""
import configparser
import os
import re

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .servers import ROOT

# lock file -> the setup.cfg sections it must satisfy
LOCKS = {'base': [], 'production': ['production'], 'test': ['test', 'postgres', 'redis']}
PIN = re.compile(r'^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$')


def _setup_requirements(extras: list[str]) -> list[Requirement]:
    config = configparser.ConfigParser()
    config.read(os.path.join(ROOT, 'setup.cfg'))
    lines = config['options']['install_requires'].splitlines()
    for extra in extras:
        lines += config['options.extras_require'][extra].splitlines()
    return [Requirement(line.strip()) for line in lines if line.strip() and not line.strip().startswith('#')]


def _locked(name: str) -> dict[str, str]:
    """Package -> version pinned for this Python, and every pin carries a hash."""
    pins, current, hashed = {}, None, set()
    with open(os.path.join(ROOT, 'requirements', f'{name}.txt'), encoding='utf-8') as lock:
        for line in lock:
            found = PIN.match(line.rstrip('\n'))
            if found:
                package, version, marker = found.groups()
                current = canonicalize_name(package)
                if marker is None or Marker(marker).evaluate():
                    pins[current] = version
            elif '--hash=sha256:' in line and current:
                hashed.add(current)
    assert set(pins) <= hashed, f'pins without a hash in requirements/{name}.txt: {sorted(set(pins) - hashed)}'
    return pins


@pytest.mark.parametrize('lock', sorted(LOCKS))
def test_every_setup_cfg_requirement_is_locked_within_its_range(lock):
    pins = _locked(lock)
    missing, outside = [], []
    for requirement in _setup_requirements(LOCKS[lock]):
        version = pins.get(canonicalize_name(requirement.name))
        if version is None:
            missing.append(requirement.name)
        elif not requirement.specifier.contains(version, prereleases=True):
            outside.append(f'{requirement.name}=={version} (setup.cfg: {requirement.specifier})')
    assert missing == [], f'setup.cfg names packages missing from requirements/{lock}.txt: run ./scripts/lock'
    assert outside == [], f'requirements/{lock}.txt is outside setup.cfg\'s ranges: run ./scripts/lock'


def test_the_locks_agree_on_every_shared_version():
    test = _locked('test')
    for lock in ('base', 'production'):
        differ = {name: (version, test.get(name)) for name, version in _locked(lock).items()
                  if test.get(name) != version}
        assert differ == {}, f'requirements/{lock}.txt and test.txt pin different versions: run ./scripts/lock'


def test_setup_cfg_pins_no_exact_versions():
    """Ranges in setup.cfg, exact versions only in the lock."""
    exact = [str(r) for r in _setup_requirements(['production', 'test', 'postgres', 'redis'])
             if any(spec.operator in ('==', '===') for spec in r.specifier)]
    assert exact == []

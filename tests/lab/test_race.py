"""Agents click the same free unit at the same moment, on two server processes: exactly one gets it.

Two real ``flask support serve`` processes share the test database (PostgreSQL, and SQLite
too); four agents' requests (two per process) are released together by a barrier. The database itself also refuses a
second open checkout of a unit, with no help from the application.
"""
import os
import threading

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from support.core.clock import utcnow
from support.core.extensions import db
from support.lab.models import Checkout, Condition

from ..servers import ServeProcess

ROUNDS = 6
_servers = {}


def _server(database_url: str, log_path: str) -> ServeProcess:
    """``flask --app wsgi support serve`` against the test database, without a job consumer."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(('SUPPORT_', 'FLASK_'))}
    env.update({'SUPPORT_DATABASE_URL': database_url, 'SUPPORT_SECRET_KEY': 'test-secret',
                'SUPPORT_JOBS': 'memory', 'SUPPORT_INSTANCE_PATH': os.path.dirname(log_path),
                'PYTHONUNBUFFERED': '1'})
    return ServeProcess(env, log_path, jobs=False).start()


@pytest.fixture(scope='module', autouse=True)
def _stop_servers():
    yield
    for pair in _servers.values():
        for server in pair:
            server.close()
    _servers.clear()


@pytest.fixture
def two_servers(app, tmp_path_factory):
    url = str(db.engine.url.render_as_string(hide_password=False)).replace('postgresql+psycopg://', 'postgresql://')
    if url not in _servers:
        folder = tmp_path_factory.mktemp('lab-servers')
        _servers[url] = [_server(url, str(folder / f'server{i}.log')) for i in (1, 2)]
    return _servers[url]


def _click(server, agent, unit_id, barrier, results):
    barrier.wait()
    response = requests.post(f'{server.url}/api/v1/lab/units/{unit_id}/checkout', json={},
                             headers={'Authorization': f'Bearer {agent.token}'}, timeout=30)
    results.append((agent, response.status_code, response.json()))


def test_two_processes_one_unit_exactly_one_checkout(lab, make, two_servers):
    agents = [lab.ana, lab.bob] + [make.agent(site='Polanco', name=f'Racer {n}') for n in (3, 4)]
    names = {lab.ana.id: 'Ana Agent', lab.bob.id: 'Bob Agent', agents[2].id: 'Racer 3', agents[3].id: 'Racer 4'}
    units = [lab.add_unit(f'RACE-{n:02d}') for n in range(ROUNDS)]
    db.session.close()  # nothing of ours holds a lock or a snapshot while the servers work
    for number, unit in enumerate(units):
        order = agents[number % 4:] + agents[:number % 4]
        barrier, results = threading.Barrier(len(order)), []
        threads = [threading.Thread(target=_click, args=(two_servers[i % 2], agent, unit['id'], barrier, results))
                   for i, agent in enumerate(order)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sorted(status for _agent, status, _body in results) == [201, 409, 409, 409], results
        [(winner, _s, won)] = [r for r in results if r[1] == 201]
        assert won['agent']['id'] == winner.id
        for _agent, _status, lost in (r for r in results if r[1] == 409):
            assert lost['error']['code'] == 'unit_checked_out'
            assert names[winner.id] in lost['error']['message'] and unit['asset_tag'] in lost['error']['message']
        db.session.close()
    open_per_unit = db.session.execute(
        sa.select(Checkout.unit_id, sa.func.count()).where(Checkout.returned_at.is_(None))
        .group_by(Checkout.unit_id)).all()
    assert sorted(count for _unit, count in open_per_unit) == [1] * ROUNDS


def test_the_database_refuses_a_second_open_checkout(lab):
    now = utcnow()
    row = {'unit_id': lab.units[0]['id'], 'checked_out_at': now, 'due_at': now, 'condition_out': Condition.good}
    db.session.add(Checkout(agent_id=lab.ana.id, **row))
    db.session.commit()
    db.session.add(Checkout(agent_id=lab.bob.id, **row))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.execute(sa.update(Checkout).values(returned_at=now))
    db.session.add(Checkout(agent_id=lab.bob.id, **row))  # once returned, the unit can go out again
    db.session.commit()

"""Routing never waits on an agent's row that another transaction holds, and a lost race is a 503."""
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from support.agents import availability
from support.core import clock
from support.core.extensions import db


def _hold_row(app, agent_id: int, seconds: float, held: threading.Event):
    """Another session locks the agent's state row (as a presence change would) for a while."""
    with app.app_context(), db.engine.connect() as conn:
        conn.execute(sa.text('SELECT 1 FROM agent_states WHERE agent_id = :id FOR UPDATE'), {'id': agent_id})
        held.set()
        threading.Event().wait(seconds)
        conn.rollback()


def test_intake_skips_an_agent_whose_row_is_held(app, routing, make, http):
    if db.engine.dialect.name != 'postgresql':
        pytest.skip('row locks are PostgreSQL\'s (SQLite serialises writers)')
    first = routing.agent()
    clock.advance(timedelta(seconds=1))
    second = routing.agent()
    opening = make.ticket(channel='email')
    took_first = http.get(f"/api/v1/tickets/{opening['id']}", headers=first.headers).get_json()['assignee']['id']
    idle = second if took_first == first.id else first  # the longest idle now: the next ticket's first choice
    busy_one = first if idle is second else second
    held = threading.Event()
    holder = threading.Thread(target=_hold_row, args=(app, idle.id, 3.0, held))
    holder.start()
    assert held.wait(5)
    try:
        ticket = make.ticket(channel='email')
    finally:
        holder.join()
    detail = http.get(f"/api/v1/tickets/{ticket['id']}", headers=busy_one.headers).get_json()
    # waiting for the held row would have given it to the idle agent three seconds later
    assert detail['assignee']['id'] == busy_one.id


def test_lost_race_is_503_with_retry_after_in_the_readers_language(app, routing, http, monkeypatch):
    agent = routing.agent(presence=None)

    class Deadlock(Exception):
        sqlstate = '40P01'

    def lose(*args, **kwargs):
        raise OperationalError('SELECT ... FOR UPDATE', {}, Deadlock('deadlock detected'))

    monkeypatch.setattr(availability, 'lock_state', lose)
    response = http.put('/api/v1/routing/me/presence', json={'status': 'available'},
                        headers={**agent.headers, 'Accept-Language': 'es'})
    assert response.status_code == 503 and response.headers['Retry-After'] == '1'
    assert response.get_json()['error']['code'] == 'busy'
    assert response.get_json()['error']['message'].startswith('El servicio está ocupado')
    monkeypatch.undo()
    assert routing.presence(agent, 'available')['status'] == 'available'  # the retry goes through


def test_other_database_errors_stay_500(app, routing, http, monkeypatch):
    agent = routing.agent(presence=None)

    def broken(*args, **kwargs):
        raise OperationalError('SELECT 1', {}, Exception('server closed the connection unexpectedly'))

    monkeypatch.setattr(availability, 'lock_state', broken)
    response = http.put('/api/v1/routing/me/presence', json={'status': 'available'}, headers=agent.headers)
    assert response.status_code == 500 and response.get_json()['error']['code'] == 'internal_error'

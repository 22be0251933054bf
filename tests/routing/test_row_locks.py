"""Routing lets go of the rows of agents it passed, and a lost race is a 503."""
from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from support.agents import availability
from support.core import clock
from support.core.extensions import db
from support.routing import operations


def test_a_passed_candidate_row_is_let_go_before_the_next_is_tried(app, routing, make, http, monkeypatch):
    """Routing walks candidates in rank order; one who turns out away is rolled back to its
    savepoint, so the router does not keep their row locked while it locks the next (holding
    passed rows while waiting for the next closed deadlocks with presence changes). The one
    passed here is still available but full: their row matches the lock, then no capacity."""
    if db.engine.dialect.name != 'postgresql':
        pytest.skip('row locks are PostgreSQL\'s (SQLite serialises writers)')
    gone = routing.agent()
    clock.advance(timedelta(seconds=1))
    taker = routing.agent()
    stale = operations.candidates('email')  # both available: what a lock-free look saw a moment ago
    assert {a.id for a in stale} == {gone.id, taker.id}
    stale = [replace(a, idle_since=clock.utcnow() - timedelta(hours=1 if a.id == gone.id else 0)) for a in stale]
    routing.supervisor_patch(gone.id, capacities={'email': 0})  # ... and then `gone` had no room left
    monkeypatch.setattr(operations, 'candidates', lambda channel, agent_ids=None: stale)
    seen = []
    real_give = operations.give

    def give_checking(item, ticket, state):
        with db.engine.connect() as other:  # another session: is `gone`'s row still held?
            try:
                other.execute(sa.text('SELECT 1 FROM agent_states WHERE agent_id = :id FOR UPDATE NOWAIT'),
                              {'id': gone.id})
                seen.append((state.agent_id, 'free'))
            except OperationalError:
                seen.append((state.agent_id, 'held'))
            other.rollback()
        return real_give(item, ticket, state)
    monkeypatch.setattr(operations, 'give', give_checking)
    ticket = make.ticket(channel='email')
    assert seen == [(taker.id, 'free')]
    assert http.get(f"/api/v1/tickets/{ticket['id']}", headers=taker.headers).get_json()['assignee']['id'] == taker.id


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

"""Every presence change is kept as a stretch of time with its reason and who made it."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from support.agents.presence_history import PresenceChange
from support.core import clock
from support.core.extensions import db


def _rows(agent_id):
    db.session.expire_all()
    return list(db.session.scalars(sa.select(PresenceChange).where(PresenceChange.agent_id == agent_id)
                                   .order_by(PresenceChange.id)))


def test_each_change_closes_the_open_row_and_opens_the_next_at_the_same_instant(routing, http):
    start = clock.utcnow()
    clock.travel_to(start, freeze=True)
    agent = routing.agent(presence='available')
    clock.advance(timedelta(minutes=5))
    routing.presence(agent, 'away', 'lunch')
    clock.advance(timedelta(minutes=30))
    response = http.put(f'/api/v1/routing/agents/{agent.id}/presence', json={'status': 'available'},
                        headers=routing.boss.headers)
    assert response.status_code == 200
    routing.presence(agent, 'available')  # no change, no row
    rows = _rows(agent.id)
    assert [(r.status.value, r.reason) for r in rows] == [('available', None), ('away', 'lunch'), ('available', None)]
    assert rows[0].ended_at == rows[1].started_at and rows[1].ended_at == rows[2].started_at
    assert rows[1].ended_at - rows[1].started_at == timedelta(minutes=30)
    assert rows[2].ended_at is None and rows[0].started_at == start
    assert [r.actor_id for r in rows] == [agent.id, agent.id, routing.boss.id]


def test_signing_out_makes_the_agent_offline(routing, http):
    agent = routing.agent(presence='available')
    response = http.post('/api/v1/auth/login', json={'email': agent.email, 'password': agent.password})
    assert response.status_code == 200
    csrf = http.get('/api/v1/auth/csrf').get_json()['csrf_token']
    assert http.post('/api/v1/auth/logout', headers={'X-CSRFToken': csrf}).status_code == 204
    assert routing.me(agent)['presence']['status'] == 'offline'
    assert [r.status.value for r in _rows(agent.id)] == ['available', 'offline']


def test_the_database_keeps_one_open_row_per_agent(routing):
    agent = routing.agent(presence='available')
    db.session.add(PresenceChange(agent_id=agent.id, status='away', started_at=clock.utcnow()))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()

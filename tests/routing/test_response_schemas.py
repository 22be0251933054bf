"""Every routing answer matches the schema the OpenAPI document declares, and the schemas drop nothing.

The fuzz test mostly reaches the 4xx paths; these walk the success paths (with their nulls).
"""
import pytest
import schemathesis
from flask import json

from support.agents.models import Agent
from support.core.extensions import db
from support.routing import views


@pytest.fixture
def documented(app):
    spec = schemathesis.openapi.from_wsgi('/api/v1/openapi.json', app)

    def check(response, path, method, status=200):
        assert response.status_code == status, response.get_json()
        spec['/api/v1' + path][method].validate_response(response)
        return response.get_json()
    return check


def as_json(app, data):
    db.session.expire_all()
    return json.loads(app.json.dumps(data))


def test_presence_reasons_and_agents(app, documented, routing, make, http):
    agent, boss = routing.agent(), routing.boss
    make.agent()  # never set a presence: its entry has no "since"
    away = documented(http.put('/api/v1/routing/me/presence', json={'status': 'away', 'reason': 'lunch'},
                               headers=agent.headers), '/routing/me/presence', 'PUT')
    assert away == {**away, 'agent_id': agent.id, 'status': 'away', 'reason': 'lunch'}
    documented(http.put(f'/api/v1/routing/agents/{agent.id}/presence', json={'status': 'offline'},
                        headers=boss.headers), '/routing/agents/{agent_id}/presence', 'PUT')
    documented(http.get('/api/v1/routing/away-reasons', headers=agent.headers), '/routing/away-reasons', 'GET')
    reason = {'code': 'lab2', 'label_en': 'Lab 2', 'label_es': 'Laboratorio 2'}
    assert documented(http.post('/api/v1/routing/away-reasons', json=reason, headers=boss.headers),
                      '/routing/away-reasons', 'POST', 201) == reason
    patched = documented(http.patch(f'/api/v1/routing/agents/{agent.id}', json={'products': ['Widget']},
                                    headers=boss.headers), '/routing/agents/{agent_id}', 'PATCH')
    assert patched['products'] == ['Widget']
    entries = documented(http.get('/api/v1/routing/agents', headers=boss.headers), '/routing/agents', 'GET')
    assert any(e['presence']['since'] is None for e in entries)
    assert entries == as_json(app, views.agent_entries(views.routable_agents()))


def test_queues(app, documented, routing, make, http):
    admin = make.agent(role='admin')
    make.ticket(channel='email')
    queue = documented(http.post('/api/v1/routing/queues', json={'name': 'Everything'}, headers=admin.headers),
                       '/routing/queues', 'POST', 201)
    assert queue['client'] is None and queue['language'] is None and queue['family'] is None
    queues = documented(http.get('/api/v1/routing/queues', headers=admin.headers), '/routing/queues', 'GET')
    expected = as_json(app, views.queue_entries())
    assert [q.keys() for q in queues] == [q.keys() for q in expected]
    assert [q | {'oldest_wait_seconds': 0} for q in queues] == [q | {'oldest_wait_seconds': 0} for q in expected]


def test_offers_me_and_ticket_summaries(app, documented, routing, make, http):
    agent, colleague = routing.agent(), routing.agent(presence='away')
    creds = make.client()
    ticket = make.ticket(creds, channel='chat')
    offers = documented(http.get('/api/v1/routing/offers', headers=agent.headers), '/routing/offers', 'GET')
    assert [o['ticket']['id'] for o in offers] == [ticket['id']] and offers[0]['responded_at'] is None
    assert offers == as_json(app, [views.offer_entry(o) for o in views.pending_offers(agent.id)])
    me = documented(http.get('/api/v1/routing/me', headers=agent.headers), '/routing/me', 'GET')
    assert me == as_json(app, views.me_entry(db.session.get(Agent, agent.id)))
    assert documented(http.post(f"/api/v1/routing/offers/{offers[0]['id']}/decline", headers=agent.headers),
                      '/routing/offers/{offer_id}/decline', 'POST') == {'ok': True}
    second = make.ticket(creds, channel='chat')
    offer = routing.offers(agent)[0]
    summary = documented(http.post(f"/api/v1/routing/offers/{offer['id']}/accept", headers=agent.headers),
                         '/routing/offers/{offer_id}/accept', 'POST')
    assert summary == offer['ticket'] | {'assignee_id': agent.id, 'status': summary['status'],
                                         'updated_at': summary['updated_at']}
    moved = documented(http.post(f"/api/v1/tickets/{second['id']}/transfer", json={'agent_id': colleague.id},
                                 headers=agent.headers), '/tickets/{ticket_id}/transfer', 'POST')
    assert moved['assignee_id'] == colleague.id and moved['product'] is None
    back = documented(http.post(f"/api/v1/tickets/{second['id']}/reassign", json={'agent_id': agent.id},
                                headers=routing.boss.headers), '/tickets/{ticket_id}/reassign', 'POST')
    assert back['assignee_id'] == agent.id
    entries = documented(http.get('/api/v1/routing/agents', headers=routing.boss.headers), '/routing/agents', 'GET')
    assert [t['id'] for e in entries if e['id'] == agent.id for t in e['tickets']] == [second['id']]

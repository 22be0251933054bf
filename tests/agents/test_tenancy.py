"""Tenancy: nobody works for a client until given it (or every client); restricted supervisors and
admins see only their clients in every list, event and snapshot; sites are named exactly."""
import pytest

from ..servers import EventLog, ThreadServer


def _create(http, admin, **body):
    body = {'email': body.pop('email'), 'name': 'New', 'password': 'long-enough', **body}
    response = http.post('/api/v1/agents', json=body, headers=admin.headers)
    assert response.status_code == 201, response.get_json()
    token = http.post('/api/v1/auth/token', json={'email': body['email'], 'password': 'long-enough'})
    return response.get_json(), {'Authorization': f"Bearer {token.get_json()['token']}"}


def test_an_agent_given_no_client_sees_and_receives_nothing(make, http):
    admin = make.agent(role='admin')
    acme = make.client(slug='acme')
    created, headers = _create(http, admin, email='new@example.com')
    assert (created['clients'], created['all_clients']) == ([], False)
    ticket = make.ticket(acme, channel='email')
    assert http.get('/api/v1/tickets', headers=headers).get_json()['items'] == []
    assert http.get(f"/api/v1/tickets/{ticket['id']}", headers=headers).status_code == 404
    assert http.put('/api/v1/routing/me/presence', json={'status': 'available'}, headers=headers).status_code == 200
    assert http.get('/api/v1/console/my-tickets', headers=headers).get_json()['items'] == []
    assert http.get('/api/v1/routing/queues', headers=headers).get_json() == []
    patched = http.patch(f"/api/v1/agents/{created['id']}", json={'clients': ['acme']}, headers=admin.headers)
    assert patched.get_json()['clients'] == ['acme']
    assert [t['id'] for t in http.get('/api/v1/tickets', headers=headers).get_json()['items']] == [ticket['id']]


def test_all_clients_is_explicit(make, http):
    admin = make.agent(role='admin')
    acme, globex = make.client(slug='acme'), make.client(slug='globex')
    _created, headers = _create(http, admin, email='all@example.com', all_clients=True)
    ids = {make.ticket(acme)['id'], make.ticket(globex)['id']}
    assert {t['id'] for t in http.get('/api/v1/tickets', headers=headers).get_json()['items']} == ids


def test_a_restricted_supervisor_sees_only_their_clients(make, http):
    acme, globex = make.client(slug='acme'), make.client(slug='globex')
    boss = make.agent(role='supervisor', clients=['acme'])
    acme_agent, globex_agent = make.agent(clients=['acme']), make.agent(clients=['globex'])
    mine, theirs = make.ticket(acme), make.ticket(globex)
    headers = boss.headers
    assert [t['id'] for t in http.get('/api/v1/tickets', headers=headers).get_json()['items']] == [mine['id']]
    assert http.get(f"/api/v1/tickets/{theirs['id']}", headers=headers).status_code == 404
    assert [c['slug'] for c in http.get('/api/v1/clients', headers=headers).get_json()] == ['acme']
    agents = {a['id'] for a in http.get('/api/v1/agents', headers=headers).get_json()}
    assert acme_agent.id in agents and globex_agent.id not in agents
    routing_agents = http.get('/api/v1/routing/agents', headers=headers).get_json()
    assert globex_agent.id not in {a['id'] for a in routing_agents}
    assert {q['client'] for q in http.get('/api/v1/routing/queues', headers=headers).get_json()} == {'acme'}
    assert http.get('/api/v1/clients/globex/webhooks', headers=headers).status_code == 403  # admins only
    assert http.get('/api/v1/clients/globex/sla-policies', headers=headers).status_code == 404
    assert http.get('/api/v1/clients/acme/sla-policies', headers=headers).status_code == 200
    assert http.get('/api/v1/clients/globex', headers=headers).status_code == 404
    assert http.put(f'/api/v1/routing/agents/{globex_agent.id}/presence', json={'status': 'available'},
                    headers=headers).status_code == 404
    assert http.patch(f'/api/v1/routing/agents/{acme_agent.id}', json={'clients': ['globex']},
                      headers=headers).status_code == 403


def test_a_restricted_admin_manages_only_their_clients(make, http):
    make.client(slug='acme'), make.client(slug='globex')
    admin = make.agent(role='admin', clients=['acme'])
    assert http.post('/api/v1/clients/acme/keys', headers=admin.headers).status_code == 201
    assert http.post('/api/v1/clients/globex/keys', headers=admin.headers).status_code == 404
    assert http.get('/api/v1/clients/globex/channels', headers=admin.headers).status_code == 404
    refused = http.post('/api/v1/clients', json={'name': 'New', 'slug': 'new'}, headers=admin.headers)
    assert refused.status_code == 403 and refused.get_json()['error']['code'] == 'client_restricted'
    assert http.post('/api/v1/agents', json={'email': 'x@example.com', 'name': 'X', 'password': 'long-enough',
                                             'all_clients': True}, headers=admin.headers).status_code == 403


def test_transfers_never_leave_the_clients_agents(make, http):
    acme = make.client(slug='acme')
    make.client(slug='globex')
    boss = make.agent(role='supervisor')
    outsider = make.agent(clients=['globex'])
    ticket = make.ticket(acme, channel='email')
    response = http.post(f"/api/v1/tickets/{ticket['id']}/reassign", json={'agent_id': outsider.id},
                         headers=boss.headers)
    assert response.status_code == 422 and 'does not serve this client' in str(response.get_json())


def test_sites_are_named_exactly_or_by_id(make, http):
    admin = make.agent(role='admin')
    site = http.post('/api/v1/sites', json={'name': 'Polanco'}, headers=admin.headers).get_json()
    body = {'email': 'site@example.com', 'name': 'S', 'password': 'long-enough'}
    typo = http.post('/api/v1/agents', json={**body, 'site': 'polanco'}, headers=admin.headers)
    assert typo.status_code == 422 and 'Unknown site: polanco' in str(typo.get_json()['error']['fields']['site'])
    by_id = http.post('/api/v1/agents', json={**body, 'site': site['id']}, headers=admin.headers)
    assert by_id.status_code == 201 and by_id.get_json()['site'] == 'Polanco'
    sites = http.get('/api/v1/sites', headers=admin.headers).get_json()
    assert [s['name'] for s in sites] == ['Polanco']  # nothing was created by the typo
    assert http.patch(f"/api/v1/agents/{by_id.get_json()['id']}", json={'site': 999},
                      headers=admin.headers).status_code == 422


@pytest.fixture
def server(app):
    with ThreadServer(app) as running:
        yield running


def test_live_events_and_snapshots_reach_only_the_clients_supervisors(server, make):
    acme, globex = make.client(slug='acme'), make.client(slug='globex')
    everyone = make.agent(role='supervisor')
    acme_boss = make.agent(role='supervisor', clients=['acme'])
    all_seeing = EventLog(server.url, everyone.token).connect()
    restricted = EventLog(server.url, acme_boss.token).connect()
    try:
        snapshot = restricted.wait_for('queue.snapshot')
        assert all(q['client'] == 'acme' for q in snapshot['queues'])
        theirs = make.ticket(globex, channel='chat')
        mine = make.ticket(acme, channel='chat')
        all_seeing.wait_for('ticket.created', where=lambda d: d['id'] == theirs['id'])
        restricted.wait_for('ticket.created', where=lambda d: d['id'] == mine['id'])
        restricted.wait_for('queue.updated', where=lambda d: d['client'] == 'acme')
        seen = [(name, payload) for name, payload, _at in restricted.events if isinstance(payload, dict)]
        assert theirs['id'] not in {payload.get('id') for _name, payload in seen}
        assert all(payload.get('client') == 'acme' for name, payload in seen if name.startswith(('ticket.', 'queue.u')))
    finally:
        all_seeing.close()
        restricted.close()

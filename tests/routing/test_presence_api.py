"""Presence, skills, capacities and away reasons over REST."""


def test_me_starts_offline_with_default_capacities(routing, http, make):
    agent = make.agent(languages=['en', 'es'], site='Monterrey')
    me = routing.me(agent)
    assert me['agent']['id'] == agent.id and me['agent']['languages'] == ['en', 'es']
    assert me['agent']['site'] == 'Monterrey'
    assert me['presence']['status'] == 'offline'
    assert me['capacities']['chat'] == 3 and me['capacities']['phone'] == 1 and me['capacities']['email'] == 6
    assert me['load']['chat'] == 0 and me['offers'] == []


def test_agent_sets_own_presence_with_reason(routing, http, make):
    agent = make.agent()
    assert routing.presence(agent, 'available')['status'] == 'available'
    away = routing.presence(agent, 'away', 'lunch')
    assert away['status'] == 'away' and away['reason'] == 'lunch' and away['since']
    assert routing.presence(agent, 'offline')['reason'] is None


def test_unknown_reason_and_status_are_422(routing, http, make):
    agent = make.agent()
    response = http.put('/api/v1/routing/me/presence', json={'status': 'away', 'reason': 'nap'}, headers=agent.headers)
    assert response.status_code == 422 and 'reason' in response.get_json()['error']['fields']
    response = http.put('/api/v1/routing/me/presence', json={'status': 'asleep'}, headers=agent.headers)
    assert response.status_code == 422


def test_custom_away_reason_translated(routing, http, make):
    agent = make.agent()
    response = http.post('/api/v1/routing/away-reasons', json={'code': 'coaching', 'label_en': 'Coaching',
                                                               'label_es': 'Asesoría'}, headers=agent.headers)
    assert response.status_code == 403
    response = http.post('/api/v1/routing/away-reasons', json={'code': 'coaching', 'label_en': 'Coaching',
                                                               'label_es': 'Asesoría'}, headers=routing.boss.headers)
    assert response.status_code == 201
    again = http.post('/api/v1/routing/away-reasons', json={'code': 'coaching', 'label_en': 'x', 'label_es': 'y'},
                      headers=routing.boss.headers)
    assert again.status_code == 409
    listing = http.get('/api/v1/routing/away-reasons', headers=agent.headers).get_json()
    english = {r['code']: r['label'] for r in listing}
    spanish = {r['code']: r['label'] for r in http.get('/api/v1/routing/away-reasons', headers={
        **agent.headers, 'Accept-Language': 'es'}).get_json()}
    assert english['coaching'] == 'Coaching' and spanish['coaching'] == 'Asesoría'
    assert english['break'] == 'Break' and spanish['break'] == 'Descanso'
    assert routing.presence(agent, 'away', 'coaching')['reason'] == 'coaching'


def test_supervisor_changes_presence_skills_and_capacity(routing, http, make):
    make.client(slug='acme')
    agent = make.agent()
    response = http.put(f'/api/v1/routing/agents/{agent.id}/presence', json={'status': 'available'},
                        headers=routing.boss.headers)
    assert response.status_code == 200 and response.get_json()['status'] == 'available'
    entry = routing.supervisor_patch(agent.id, languages=['es'], capacities={'chat': 5, 'phone': 0},
                                     clients=['acme'], products=['modem'])
    assert entry['languages'] == ['es'] and entry['capacities']['chat'] == 5 and entry['capacities']['phone'] == 0
    assert entry['clients'] == ['acme'] and entry['products'] == ['modem']
    assert entry['presence']['status'] == 'available'
    listing = http.get('/api/v1/routing/agents', headers=routing.boss.headers).get_json()
    assert {a['id'] for a in listing} >= {agent.id, routing.boss.id}


def test_skill_validation(routing, http, make):
    agent = make.agent()
    for body in ({'capacities': {'fax': 2}}, {'capacities': {'chat': -1}}, {'languages': ['fr']},
                 {'clients': ['nope']}, {'unknown': 1}):
        response = http.patch(f'/api/v1/routing/agents/{agent.id}', json=body, headers=routing.boss.headers)
        assert response.status_code == 422, body
    assert http.patch('/api/v1/routing/agents/9999', json={}, headers=routing.boss.headers).status_code == 404


def test_roles(routing, http, make):
    agent = make.agent()
    assert http.get('/api/v1/routing/me').status_code == 401
    assert http.get('/api/v1/routing/agents', headers=agent.headers).status_code == 403
    assert http.put(f'/api/v1/routing/agents/{agent.id}/presence', json={'status': 'available'},
                    headers=agent.headers).status_code == 403
    assert http.patch(f'/api/v1/routing/agents/{agent.id}', json={'languages': ['es']},
                      headers=agent.headers).status_code == 403
    assert http.post('/api/v1/routing/queues', json={'name': 'x'}, headers=routing.boss.headers).status_code == 403

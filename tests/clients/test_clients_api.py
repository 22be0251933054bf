"""Admins change a client's zone and catalogue; supervisors read it."""


def test_admin_sets_the_zone_and_catalogue(http, make):
    make.client(slug='acme')
    admin, boss = make.agent(role='admin'), make.agent(role='supervisor')
    body = {'timezone': 'America/Chicago', 'products': ['Modem ', 'Router', 'Modem'], 'tags': ['VIP', 'vip', 'outage']}
    response = http.patch('/api/v1/clients/acme', json=body, headers=admin.headers)
    assert response.status_code == 200, response.get_json()
    client = http.get('/api/v1/clients/acme', headers=boss.headers).get_json()
    assert (client['timezone'], client['products'], client['tags']) == ('America/Chicago', ['Modem', 'Router'],
                                                                        ['vip', 'outage'])
    assert 'secret' not in str(client)
    assert http.patch('/api/v1/clients/acme', json={'tags': []}, headers=boss.headers).status_code == 403


def test_bad_changes_are_refused_per_field(http, make):
    make.client(slug='acme')
    admin = make.agent(role='admin')
    response = http.patch('/api/v1/clients/acme', json={'timezone': 'Mars/Olympus', 'products': ['']},
                          headers={**admin.headers, 'Accept-Language': 'es'})
    assert response.status_code == 422
    fields = response.get_json()['error']['fields']
    assert fields['timezone'] == ['Zona horaria desconocida.'] and 'products' in fields
    assert http.patch('/api/v1/clients/nobody', json={'tags': []}, headers=admin.headers).status_code == 404

"""The console's own REST API: the old canned answers (now over macros), my tickets with unread markers, colleagues."""
import re

from flask import g

from support.core.extensions import db
from support.tickets.models import Ticket


def _assign(ticket_id, agent_id):
    ticket = db.session.get(Ticket, ticket_id)
    ticket.assignee_id = agent_id
    db.session.commit()


def test_canned_answers_per_client_and_language(make, http):
    acme, other = make.client('acme'), make.client('other')
    boss = make.agent(role='supervisor')
    for client, language, title in [('acme', 'es', 'Saludo'), ('acme', 'en', 'Hello'), ('other', 'es', 'Otro'),
                                    (None, 'es', 'General')]:
        response = http.post('/api/v1/canned-answers', headers=boss.headers,
                             json={'client': client, 'language': language, 'title': title, 'body': f'{title} body'})
        assert response.status_code == 201, response.get_json()
    agent = make.agent()
    response = http.get('/api/v1/canned-answers?client=acme&language=es', headers=agent.headers)
    assert [a['title'] for a in response.get_json()] == ['General', 'Saludo']
    assert response.get_json()[1]['client'] == 'acme'
    duplicate = http.post('/api/v1/canned-answers', headers=boss.headers,
                          json={'client': 'acme', 'language': 'es', 'title': 'Saludo', 'body': 'x'})
    assert duplicate.status_code == 409 and duplicate.get_json()['error']['code'] == 'duplicate'
    assert acme.slug and other.slug


def test_canned_answer_validation_and_roles(make, http):
    make.client('acme')
    agent, boss = make.agent(), make.agent(role='supervisor')
    body = {'client': 'acme', 'language': 'es', 'title': 'T', 'body': 'B'}
    assert http.post('/api/v1/canned-answers', headers=agent.headers, json=body).status_code == 403
    bad = http.post('/api/v1/canned-answers', headers=boss.headers, json=dict(body, client='nope', language='fr'))
    assert bad.status_code == 422 and set(bad.get_json()['error']['fields']) == {'language'}
    unknown = http.post('/api/v1/canned-answers', headers=boss.headers, json=dict(body, client='nope'))
    assert unknown.status_code == 422 and 'client' in unknown.get_json()['error']['fields']
    created = http.post('/api/v1/canned-answers', headers=boss.headers, json=body).get_json()
    patched = http.patch(f"/api/v1/canned-answers/{created['id']}", headers=boss.headers, json={'body': 'Nuevo'})
    assert patched.status_code == 200 and patched.get_json()['body'] == 'Nuevo'
    assert http.patch(f"/api/v1/canned-answers/{created['id']}", headers=boss.headers, json={}).status_code == 422
    assert http.delete(f"/api/v1/canned-answers/{created['id']}", headers=boss.headers).status_code == 204
    assert http.delete(f"/api/v1/canned-answers/{created['id']}", headers=boss.headers).status_code == 404
    assert http.get('/api/v1/canned-answers?client=nope', headers=agent.headers).status_code == 422


def test_agents_only_see_answers_of_their_clients(make, http):
    make.client('acme'), make.client('other')
    boss = make.agent(role='supervisor')
    http.post('/api/v1/canned-answers', headers=boss.headers,
              json={'client': 'other', 'language': 'en', 'title': 'Secret', 'body': 'x'})
    agent = make.agent(clients=['acme'])
    assert http.get('/api/v1/canned-answers?client=other', headers=agent.headers).status_code == 403
    assert http.get('/api/v1/canned-answers', headers=agent.headers).get_json() == []


def test_my_tickets_newest_activity_first_with_unread(make, http):
    creds = make.client('acme')
    agent = make.agent()
    first, second = make.ticket(creds, subject='First'), make.ticket(creds, subject='Second')
    make.ticket(creds, subject='Not mine')
    _assign(first['id'], agent.id)
    _assign(second['id'], agent.id)
    items = http.get('/api/v1/console/my-tickets', headers=agent.headers).get_json()['items']
    assert [i['subject'] for i in items] == ['Second', 'First'] and all(i['unread'] for i in items)
    reply = http.post(f"/api/v1/tickets/{first['id']}/messages", headers=agent.headers, json={'body': 'On it'})
    assert reply.status_code == 201
    assert http.put(f"/api/v1/console/tickets/{first['id']}/read", headers=agent.headers).status_code == 204
    assert http.put(f"/api/v1/console/tickets/{first['id']}/read", headers=agent.headers).status_code == 204
    items = http.get('/api/v1/console/my-tickets', headers=agent.headers).get_json()['items']
    assert [(i['subject'], i['unread']) for i in items] == [('First', False), ('Second', True)]
    assert http.put('/api/v1/console/tickets/999/read', headers=agent.headers).status_code == 404


def test_colleagues_lists_active_people(make, http):
    agent = make.agent(name='Ana')
    make.agent(name='Bruno', role='supervisor')
    make.agent(name='Gone', active=False)
    names = [c['name'] for c in http.get('/api/v1/console/colleagues', headers=agent.headers).get_json()]
    assert names == ['Ana', 'Bruno']


def _fresh_csrf():
    g.pop('csrf_token', None)  # the test keeps one app context, so Flask-WTF's per-request cache would stick


def test_pages_need_a_session_and_the_right_role(make, http):
    assert http.get('/console').headers['Location'].startswith('/login?next=/console')
    assert http.get('/').headers['Location'] == '/login'
    agent = make.agent()
    page = http.get('/login')
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    refused = http.post('/login', data={'email': agent.email, 'password': agent.password})
    assert refused.status_code == 400
    wrong = http.post('/login', data={'email': agent.email, 'password': 'nope', 'csrf_token': token})
    assert wrong.status_code == 401 and 'Wrong e-mail or password.' in wrong.get_data(as_text=True)
    evil = http.post('/login', data={'email': agent.email, 'password': agent.password, 'csrf_token': token,
                                     'next': '//evil.example/'})
    assert evil.status_code == 302 and evil.headers['Location'] == '/console'
    assert http.get('/dashboard').headers['Location'] == '/'
    _fresh_csrf()
    console = http.get('/console')
    assert console.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', console.get_data(as_text=True)).group(1)
    assert http.post('/logout').status_code == 400
    assert http.post('/logout', data={'csrf_token': token}).status_code == 302
    assert http.get('/console').status_code == 302


def test_pages_speak_spanish_and_serve_static_files(make, http):
    agent = make.agent(locale='es')
    page = http.get('/login?lang=es').get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert 'Iniciar sesión' in page
    http.post('/login', data={'email': agent.email, 'password': agent.password, 'csrf_token': token})
    html = http.get('/console').get_data(as_text=True)
    assert '<html lang="es">' in html and 'Mis tickets' in html and '"offers.accept": "Aceptar"' in html
    assert "script-src 'self'" in http.get('/console').headers['Content-Security-Policy']
    script = http.get('/console/static/vendor/socket.io.min.js')
    assert script.status_code == 200 and b'Socket.IO v4' in script.data
    assert http.get('/console/static/../pages.py').status_code == 404

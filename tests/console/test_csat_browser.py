"""CSAT in Chromium: a chat ticket is resolved, the customer answers "reply 1 to 5" on the chat, and the
answer appears live in the agent's ticket view (Spanish, then English)."""
import json
import time

import requests
from playwright.sync_api import expect

from support.core.signing import sign

from .conftest import screenshot


def _client(server) -> dict:
    admin = server.seed['admin']['token']
    made = server.api('POST', '/clients', admin, json={'name': 'Encuesta Cable', 'slug': 'encuesta',
                                                      'default_language': 'es', 'wrapup_seconds': 0,
                                                      'csat_enabled': True, 'csat_delay_minutes': 0})
    assert made.status_code == 201, made.text
    endpoint = server.api('PUT', '/clients/encuesta/outbound/endpoints/chat', admin,
                          json={'url': 'https://chat-gateway.example.com/replies'})
    assert endpoint.status_code == 200, endpoint.text
    body = made.json()
    return {'key_id': body['key_id'], 'secret': body['secret']}


def _chat(server, creds, conversation, text, language=None) -> dict:
    body = {'conversation_id': conversation, 'message_id': f'{conversation}-{time.time_ns()}', 'text': text,
            'visitor': {'id': f'visitor-{conversation}', 'name': 'Carmen Vega'}}
    if language:
        body['language'] = language
    raw = json.dumps(body).encode()
    ts = int(time.time())
    response = requests.post(server.url + '/api/v1/channels/chat/messages', data=raw, timeout=10, headers={
        'X-Support-Key': creds['key_id'], 'X-Support-Timestamp': str(ts),
        'X-Support-Signature': sign(creds['secret'], ts, raw), 'Content-Type': 'application/json'})
    assert response.status_code == 201, response.text
    return response.json()


def _resolve(server, ticket_id, reply):
    token = server.seed['agent']['token']
    assert server.api('POST', f'/tickets/{ticket_id}/messages', token,
                      json={'kind': 'reply', 'body': reply}).status_code == 201
    assert server.api('PATCH', f'/tickets/{ticket_id}', token, json={'status': 'resolved'}).status_code == 200


def _open_by_search(page, text):
    page.locator('body').press('/')
    page.locator('[data-testid=search-box]').fill(text)
    hit = page.locator('[data-testid=search-results] .search-hit').first
    expect(hit).to_contain_text(text)
    page.keyboard.press('Enter')
    expect(page.locator('#t-title')).to_contain_text(text)


def test_the_customer_s_rating_appears_live_in_the_ticket_view(open_page, server):
    creds = _client(server)
    spanish = _chat(server, creds, 'enc-1', 'Hola, la aplicación no carga mi factura de noviembre', 'es')
    _resolve(server, spanish['ticket'], 'Listo: ya puede ver su factura en la aplicación.')
    agent = open_page('agent')  # Lucía works in Spanish
    _open_by_search(agent, 'la aplicación no carga mi factura')
    panel = agent.locator('[data-testid=csat-panel]')
    expect(panel.locator('h2')).to_have_text('Satisfacción del cliente')
    expect(panel.locator('[data-testid=csat-status]')).to_contain_text('aún sin respuesta', timeout=10000)
    screenshot(agent, 'csat-console-asked-es.png')

    _chat(server, creds, 'enc-1', '5 ¡muy rápido, gracias!')
    rating = panel.locator('[data-testid=csat-rating]')
    expect(rating).to_contain_text('5 de 5 · Muy satisfecho', timeout=5000)
    expect(panel.locator('[data-testid=csat-comment]')).to_have_text('¡muy rápido, gracias!')
    expect(panel).to_contain_text('Por respuesta')
    expect(agent.locator('.toast', has_text=f'El ticket #{spanish["ticket"]} recibió 5 de 5.')).to_have_count(1)
    expect(agent.locator('[data-testid=status-badge]')).to_have_text('Resuelto')  # the rating reopened nothing
    expect(agent.locator('[data-testid=message-body]').last).to_have_text('5 ¡muy rápido, gracias!')
    expect(agent.locator('[data-testid=story]')).to_contain_text('El cliente calificó el ticket')
    screenshot(agent, 'csat-console-live-es.png')

    agent.select_option('[data-testid=locale-switch]', 'en')
    expect(agent.locator('h2#tickets-title')).to_have_text('My tickets')
    english = _chat(server, creds, 'enc-2', 'The app will not load my November bill', 'en')
    _resolve(server, english['ticket'], 'Done: the bill shows in the app now.')
    _open_by_search(agent, 'The app will not load my November bill')
    expect(panel.locator('h2')).to_have_text('Customer satisfaction')
    expect(panel.locator('[data-testid=csat-status]')).to_contain_text('no answer yet', timeout=10000)
    _chat(server, creds, 'enc-2', '2 it took three days')
    expect(rating).to_contain_text('2 of 5 · Dissatisfied', timeout=5000)
    expect(panel.locator('[data-testid=csat-comment]')).to_have_text('it took three days')
    expect(agent.locator('.toast', has_text=f'Ticket #{english["ticket"]} was rated 2 of 5.')).to_have_count(1)
    screenshot(agent, 'csat-console-live-en.png')
    assert agent.errors == []

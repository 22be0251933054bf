"""The public CSAT page in Chromium: the e-mail's link opens it with that rating preselected and records
nothing (what a mail scanner's GET sees); the customer may pick another rating, add a comment and send;
a second answer is refused. Spanish and English, screenshots of each."""
import hashlib
import json
import sqlite3
import time
from datetime import datetime, timezone

import requests
from playwright.sync_api import expect

from support.core.signing import sign

from .conftest import DESKTOP, screenshot


def _client(server) -> dict:
    admin = server.seed['admin']['token']
    made = server.api('POST', '/clients', admin, json={'name': 'Cable Norte', 'slug': 'norte', 'default_language': 'es',
                                                      'wrapup_seconds': 0, 'csat_enabled': True,
                                                      'csat_delay_minutes': 0})
    assert made.status_code == 201, made.text
    assert server.api('PUT', '/clients/norte/outbound/endpoints/chat', admin,
                      json={'url': 'https://chat-gateway.example.com/replies'}).status_code == 200
    return {'key_id': made.json()['key_id'], 'secret': made.json()['secret']}


def _resolved_chat(server, creds, conversation, text, language) -> int:
    body = {'conversation_id': conversation, 'message_id': f'{conversation}-{time.time_ns()}', 'text': text,
            'language': language, 'visitor': {'id': f'visitor-{conversation}', 'name': 'Tomás Ruiz'}}
    raw = json.dumps(body).encode()
    ts = int(time.time())
    made = requests.post(server.url + '/api/v1/channels/chat/messages', data=raw, timeout=10, headers={
        'X-Support-Key': creds['key_id'], 'X-Support-Timestamp': str(ts),
        'X-Support-Signature': sign(creds['secret'], ts, raw), 'Content-Type': 'application/json'})
    assert made.status_code == 201, made.text
    ticket_id, token = made.json()['ticket'], server.seed['agent']['token']
    assert server.api('POST', f'/tickets/{ticket_id}/messages', token, json={'kind': 'reply', 'body': 'Listo.'}
                      ).status_code == 201
    assert server.api('PATCH', f'/tickets/{ticket_id}', token, json={'status': 'resolved'}).status_code == 200
    return ticket_id


def _survey(server, ticket_id) -> dict:
    token = server.seed['agent']['token']
    for _ in range(100):
        csat = server.api('GET', f'/tickets/{ticket_id}/csat', token)
        if csat.status_code == 200 and csat.json()['status'] == 'sent':
            return csat.json()
        time.sleep(0.1)
    raise AssertionError(f'no survey sent for ticket {ticket_id}')


def _link_token(server, ticket_id) -> str:
    """The token of the e-mail's links, made as ``csat.links.make_token`` makes it (the server's secret)."""
    expires_at = datetime.fromisoformat(_survey(server, ticket_id)['expires_at'])
    expires = int((expires_at if expires_at.tzinfo else expires_at.replace(tzinfo=timezone.utc)).timestamp())
    path = server.env['SUPPORT_DATABASE_URL'].removeprefix('sqlite:///')
    with sqlite3.connect(path) as db:
        [(survey_id,)] = db.execute('SELECT id FROM csat_surveys WHERE ticket_id = ?', (ticket_id,)).fetchall()
    secret = hashlib.sha256(b'support.csat-links:' + server.env['SUPPORT_SECRET_KEY'].encode()).hexdigest()
    return f'{survey_id}.{expires}.{sign(secret, expires, f"csat:{survey_id}".encode())}'.replace('=', '~')


def _answer(server, ticket_id):
    return server.api('GET', f'/tickets/{ticket_id}/csat', server.seed['agent']['token']).json()['response']


def test_the_link_asks_for_a_confirming_click_and_records_once(browser, server):
    creds = _client(server)
    spanish = _resolved_chat(server, creds, 'norte-1', 'Hola, no me llega la factura por correo', 'es')
    english = _resolved_chat(server, creds, 'norte-2', 'My bill does not arrive by e-mail', 'en')
    context = browser.new_context(viewport=DESKTOP, locale='es-ES', timezone_id='UTC')
    page = context.new_page()
    errors = []
    page.on('console', lambda msg: msg.type == 'error' and errors.append(msg.text))

    token = _link_token(server, spanish)
    page.goto(f'{server.url}/csat/{token}/4')
    expect(page.locator('h1')).to_have_text('¿Qué tal lo hicimos?')
    expect(page.locator('[data-testid=csat-choice-4]')).to_be_checked()
    expect(page.locator('[data-testid=csat-page]')).to_contain_text('Su calificación se registra cuando la envía.')
    assert _answer(server, spanish) is None  # opening the link (a scanner's GET) recorded nothing
    screenshot(page, 'csat-page-confirm-es.png')
    page.locator('[data-testid=csat-choice-5]').check()
    page.fill('[data-testid=csat-comment-input]', '¡Gracias, muy rápido!')
    page.click('[data-testid=csat-send]')
    expect(page.locator('[data-testid=csat-thanks]')).to_have_text('¡Gracias! Registramos su calificación.')
    expect(page.locator('[data-testid=csat-rating]')).to_contain_text('5 de 5')
    expect(page.locator('[data-testid=csat-comment]')).to_have_text('¡Gracias, muy rápido!')
    screenshot(page, 'csat-page-thanks-es.png')
    answer = _answer(server, spanish)
    assert (answer['rating'], answer['comment'], answer['via']) == (5, '¡Gracias, muy rápido!', 'link')
    page.goto(f'{server.url}/csat/{token}/1')  # another link of the same e-mail: one answer per ticket
    expect(page.locator('[data-testid=csat-error]')).to_contain_text('ya fue calificado')
    expect(page.locator('[data-testid=csat-send]')).to_have_count(0)
    assert _answer(server, spanish)['rating'] == 5

    token = _link_token(server, english)
    page.goto(f'{server.url}/csat/{token}/2')
    expect(page.locator('h1')).to_have_text('How did we do?')
    expect(page.locator('[data-testid=csat-choice-2]')).to_be_checked()
    screenshot(page, 'csat-page-confirm-en.png')
    page.click('[data-testid=csat-send]')
    expect(page.locator('[data-testid=csat-thanks]')).to_have_text('Thank you! Your rating was recorded.')
    expect(page.locator('[data-testid=csat-comment-send]')).to_be_visible()  # a comment may still follow
    screenshot(page, 'csat-page-thanks-en.png')
    assert (_answer(server, english)['rating'], _answer(server, english)['comment']) == (2, None)
    context.close()
    assert [e for e in errors if '409 (CONFLICT)' not in e] == []  # the second answer's 409 is expected

"""Replies on non-e-mail channels: a signed POST to the client's reply endpoint, retried, reported."""
from datetime import timedelta

import pytest

from support.core import clock, live

from .servers import closed_url, run_sweep


@pytest.fixture
def events(monkeypatch):
    """Live events as they would be emitted (after commit)."""
    seen = []
    monkeypatch.setattr(live, '_emitter', lambda name, payload, rooms: seen.append((name, payload, rooms)))
    return seen


def _endpoint(http, admin, slug, channel, url):
    response = http.put(f'/api/v1/clients/{slug}/outbound/endpoints/{channel}', json={'url': url},
                        headers=admin.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _chat_ticket(make, creds):
    return make.ticket(creds, channel='chat', subject='Router lights', body='All the lights on my router blink red.',
                       customer={'name': 'Visitor', 'handle': 'visitor-42'})


def _reply(http, agent, ticket_id, body='Please unplug it for ten seconds.'):
    response = http.post(f'/api/v1/tickets/{ticket_id}/messages', json={'kind': 'reply', 'body': body},
                         headers=agent.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _last_message(http, agent, ticket_id):
    return http.get(f'/api/v1/tickets/{ticket_id}', headers=agent.headers).get_json()['messages'][-1]


def test_chat_reply_is_posted_signed_to_the_reply_endpoint(http, make, admin, receiver_factory):
    receiver = receiver_factory()
    creds = make.client()
    _endpoint(http, admin, creds.slug, 'chat', receiver.url)
    agent = make.agent()
    ticket = _chat_ticket(make, creds)
    assert receiver.requests == []  # chat is synchronous: no acknowledgement
    reply = _reply(http, agent, ticket['id'])
    assert len(receiver.requests) == 1
    assert receiver.verifies(creds.secret)
    assert not receiver.verifies('another-secret')
    headers = receiver.requests[0]['headers']
    assert headers['X-Support-Key'] == creds.key_id and headers['X-Support-Event'] == 'message.reply'
    document = receiver.json()
    assert headers['X-Support-Delivery'] == document['id']
    assert document['type'] == 'reply'
    assert document['ticket']['number'] == ticket['number'] and document['ticket']['channel'] == 'chat'
    assert {'kind': 'handle', 'value': 'visitor-42'} in document['customer']['identities']
    assert document['message']['id'] == reply['id']
    assert document['message']['body'].startswith('Please unplug it for ten seconds.')
    assert document['message']['author']['type'] == 'agent'
    assert _last_message(http, agent, ticket['id'])['delivery_status'] == 'sent'


def test_endpoint_down_then_back_retries_with_the_same_document(http, make, admin, receiver_factory):
    receiver = receiver_factory(script=(503, 502, 200))
    creds = make.client()
    _endpoint(http, admin, creds.slug, 'whatsapp', receiver.url)
    agent = make.agent()
    ticket = make.ticket(creds, channel='whatsapp', customer={'phone': '+1 555 0100'})
    _reply(http, agent, ticket['id'])
    assert _last_message(http, agent, ticket['id'])['delivery_status'] == 'pending'
    clock.advance(timedelta(seconds=31))
    run_sweep()
    assert len(receiver.requests) == 2
    clock.advance(timedelta(seconds=61))
    run_sweep()
    assert len(receiver.requests) == 3
    ids = {r['headers']['X-Support-Delivery'] for r in receiver.requests}
    assert len(ids) == 1  # the receiver can dedupe retries
    assert all(receiver.verifies(creds.secret, i) for i in range(3))
    assert _last_message(http, agent, ticket['id'])['delivery_status'] == 'sent'


def test_a_rejected_reply_fails_at_once_and_agents_are_told(http, make, admin, receiver_factory, events):
    receiver = receiver_factory(script=(400,))
    creds = make.client()
    _endpoint(http, admin, creds.slug, 'sms', receiver.url)
    agent = make.agent()
    ticket = make.ticket(creds, channel='sms', customer={'phone': '+1 555 0101'})
    reply = _reply(http, agent, ticket['id'])
    assert _last_message(http, agent, ticket['id'])['delivery_status'] == 'failed'
    [(name, payload, rooms)] = [e for e in events if e[0] == 'message.delivery_failed']
    assert payload['message_id'] == reply['id'] and payload['ticket_id'] == ticket['id']
    assert payload['error'] == 'HTTP 400' and payload['attempts'] == 1 and payload['kind'] == 'reply'
    assert 'supervisors' in rooms and f'agent:{agent.id}' in rooms


def test_retries_stop_after_the_last_attempt(http, make, admin, app, monkeypatch, events, outbound_config):
    monkeypatch.setitem(app.config, 'SUPPORT_REPLY_MAX_ATTEMPTS', 3)
    creds = make.client()
    _endpoint(http, admin, creds.slug, 'social', closed_url())
    agent = make.agent()
    ticket = make.ticket(creds, channel='social', customer={'handle': '@someone'})
    _reply(http, agent, ticket['id'])
    for seconds in (31, 61):
        clock.advance(timedelta(seconds=seconds))
        run_sweep()
    assert _last_message(http, agent, ticket['id'])['delivery_status'] == 'failed'
    [(_name, payload, _rooms)] = [e for e in events if e[0] == 'message.delivery_failed']
    assert payload['attempts'] == 3 and 'ConnectionError' in payload['error']
    clock.advance(timedelta(hours=5))
    assert run_sweep()['outbox'] == 0


def test_no_endpoint_means_failed_at_once(http, make, events):
    creds = make.client()
    agent = make.agent()
    ticket = make.ticket(creds, channel='phone', customer={'phone': '+1 555 0102'})
    _reply(http, agent, ticket['id'])
    assert _last_message(http, agent, ticket['id'])['delivery_status'] == 'failed'
    [(_name, payload, _rooms)] = [e for e in events if e[0] == 'message.delivery_failed']
    assert 'no reply endpoint' in payload['error'] and payload['attempts'] == 0


def test_web_ticket_uses_its_endpoint_when_there_is_one(http, make, admin, receiver_factory, smtp_server):
    receiver = receiver_factory()
    creds = make.client()
    _endpoint(http, admin, creds.slug, 'web', receiver.url)
    ticket = make.ticket(creds, channel='web', customer={'email': 'web@example.com'})
    assert smtp_server.messages == []
    assert receiver.json()['type'] == 'acknowledgement'
    assert f'#{ticket["number"]}' in receiver.json()['message']['body']


def test_endpoint_admin_api(http, make, admin, outbound_config):
    creds = make.client()
    agent = make.agent(role='supervisor')
    url = f'/api/v1/clients/{creds.slug}/outbound/endpoints'
    assert http.put(f'{url}/chat', json={'url': 'https://chat.example.com/replies'},
                    headers=agent.headers).status_code == 403
    assert http.put(f'{url}/email', json={'url': 'https://x.example.com'}, headers=admin.headers).status_code == 404
    assert http.put(f'{url}/fax', json={'url': 'https://x.example.com'}, headers=admin.headers).status_code == 404
    bad = http.put(f'{url}/chat', json={'url': 'ftp://x.example.com'}, headers=admin.headers)
    assert bad.status_code == 422 and 'url' in bad.get_json()['error']['fields']
    assert http.put(f'{url}/chat', json={'url': 'https://chat.example.com/replies'},
                    headers=admin.headers).status_code == 200
    assert http.put(f'{url}/chat', json={'url': 'https://chat.example.com/v2', 'active': False},
                    headers=admin.headers).get_json()['active'] is False
    listed = http.get(url, headers=admin.headers).get_json()
    assert [(e['channel'], e['url']) for e in listed] == [('chat', 'https://chat.example.com/v2')]
    assert http.delete(f'{url}/chat', headers=admin.headers).status_code == 204
    assert http.delete(f'{url}/chat', headers=admin.headers).status_code == 404
    assert http.get('/api/v1/clients/nope/outbound/endpoints', headers=admin.headers).status_code == 404


def test_private_addresses_are_refused_unless_allowed(http, make, admin, app, monkeypatch):
    monkeypatch.setitem(app.config, 'SUPPORT_OUTBOUND_ALLOW_PRIVATE', False)
    creds = make.client()
    for url in ('http://127.0.0.1:8000/x', 'http://localhost/x', 'http://10.1.2.3/x', 'http://[::1]/x'):
        response = http.put(f'/api/v1/clients/{creds.slug}/outbound/endpoints/chat', json={'url': url},
                            headers={**admin.headers, 'Accept-Language': 'es'})
        assert response.status_code == 422, url
        assert response.get_json()['error']['fields']['url'] == ['Esta URL apunta a una dirección privada o local.']


def test_twilio_format_posts_to_the_messages_api(http, make, admin, receiver_factory):
    import base64
    from urllib.parse import parse_qs
    receiver = receiver_factory(script=(201,))
    creds = make.client()
    saved = http.put(f'/api/v1/clients/{creds.slug}/outbound/endpoints/whatsapp', headers=admin.headers, json={
        'url': receiver.url, 'format': 'twilio', 'account': 'AC' + '0' * 32, 'secret': 'auth-token',
        'sender': '+15550001111'}).get_json()
    assert saved['format'] == 'twilio' and saved['has_secret'] is True and 'secret' not in saved
    agent = make.agent(languages=['es'])
    ticket = make.ticket(creds, channel='whatsapp', language='es', customer={'phone': '+1 (555) 0100'})
    _reply(http, agent, ticket['id'], 'Hola, ¿sigue sin señal?')
    request = receiver.requests[0]
    assert parse_qs(request['body'].decode()) == {'To': ['whatsapp:+15550100'], 'From': ['whatsapp:+15550001111'],
                                                  'Body': ['Hola, ¿sigue sin señal?']}
    assert request['headers']['Authorization'] == 'Basic ' + base64.b64encode(
        b'AC' + b'0' * 32 + b':auth-token').decode()
    assert _last_message(http, agent, ticket['id'])['delivery_status'] == 'sent'


def test_meta_format_posts_to_the_send_api(http, make, admin, receiver_factory):
    import json
    receiver = receiver_factory()
    creds = make.client()
    assert http.put(f'/api/v1/clients/{creds.slug}/outbound/endpoints/social', headers=admin.headers, json={
        'url': receiver.url, 'format': 'meta', 'secret': 'PAGE-TOKEN'}).status_code == 200
    agent = make.agent()
    ticket = make.ticket(creds, channel='social', customer={'handle': 'messenger:6543210987'})
    _reply(http, agent, ticket['id'], 'Thanks, we are checking.')
    request = receiver.requests[0]
    assert json.loads(request['body']) == {'recipient': {'id': '6543210987'}, 'messaging_type': 'RESPONSE',
                                           'message': {'text': 'Thanks, we are checking.'}}
    assert request['headers']['Authorization'] == 'Bearer PAGE-TOKEN'


def test_provider_formats_need_their_channel_and_credentials(http, make, admin, outbound_config):
    creds = make.client()
    url = f'/api/v1/clients/{creds.slug}/outbound/endpoints'
    wrong = http.put(f'{url}/chat', headers={**admin.headers, 'Accept-Language': 'es'},
                     json={'url': 'https://api.twilio.com/x', 'format': 'twilio'})
    assert wrong.status_code == 422
    assert wrong.get_json()['error']['fields']['format'] == ['El formato twilio es para tickets sms, whatsapp.']
    missing = http.put(f'{url}/sms', headers=admin.headers, json={'url': 'https://api.twilio.com/x',
                                                                 'format': 'twilio', 'account': 'AC1'})
    assert set(missing.get_json()['error']['fields']) == {'secret', 'sender'}
    assert http.put(f'{url}/sms', headers=admin.headers, json={'url': 'https://x.example.com',
                                                              'format': 'fax'}).status_code == 422

"""Chat gateway: signed like intake, one open ticket per conversation, dedupe by message id."""
import json
import threading
import time

import sqlalchemy as sa

from support.core.extensions import db
from support.tickets.models import Message, Ticket


def post_chat(http, creds, timestamp=None, **overrides):
    body = {'conversation_id': 'conv-1', 'message_id': f'msg-{time.time_ns()}',
            'visitor': {'id': 'v-9', 'name': 'Lucía', 'email': 'lucia@example.com'},
            'text': 'Hola, ¿pueden revisar mi factura de este mes?'}
    body.update(overrides)
    raw = json.dumps(body).encode()
    return http.post('/api/v1/channels/chat/messages', data=raw, headers=creds.headers(raw, timestamp))


def counts():
    inbound = sa.select(sa.func.count(Message.id)).where(Message.kind == 'inbound')
    return db.session.scalar(sa.select(sa.func.count(Ticket.id))), db.session.scalar(inbound)


def test_conversation_messages_append_to_one_open_ticket(http, make):
    creds = make.client()
    first = post_chat(http, creds)
    assert first.status_code == 201 and first.get_json()['status'] == 'accepted'
    second = post_chat(http, creds, text='Es la cuenta 4411.')
    assert second.status_code == 201 and second.get_json()['ticket'] == first.get_json()['ticket']
    other = post_chat(http, creds, conversation_id='conv-2', text='Otra conversación')
    assert other.get_json()['ticket'] != first.get_json()['ticket']
    ticket = db.session.get(Ticket, first.get_json()['ticket'])
    assert ticket.channel.value == 'chat' and ticket.language == 'es' and ticket.customer.email == 'lucia@example.com'
    assert [m.body for m in ticket.messages if m.kind.value == 'inbound'] == [
        'Hola, ¿pueden revisar mi factura de este mes?', 'Es la cuenta 4411.']
    assert ticket.subject == 'Hola, ¿pueden revisar mi factura de este mes?'


def test_closed_conversation_ticket_gets_a_follow_up(http, make):
    creds = make.client()
    number = post_chat(http, creds).get_json()['ticket']
    db.session.get(Ticket, number).status = 'closed'
    db.session.commit()
    assert post_chat(http, creds).get_json()['ticket'] != number


def test_retry_returns_200_and_changes_nothing(http, make):
    creds = make.client()
    first = post_chat(http, creds, message_id='m-1')
    retry = post_chat(http, creds, message_id='m-1')
    assert retry.status_code == 200 and retry.get_json() == {
        'status': 'duplicate', 'ticket': first.get_json()['ticket'], 'message_id': None}
    assert counts() == (1, 1)


def test_same_ids_of_two_clients_do_not_collide(http, make):
    one, two = make.client(), make.client()
    assert post_chat(http, one, message_id='m-1').status_code == 201
    assert post_chat(http, two, message_id='m-1').status_code == 201
    assert counts() == (2, 2)


INVALID_MESSAGES_CASES = [
    ({'text': ''}, 422), ({'visitor': {}}, 422), ({'conversation_id': 'x' * 200}, 422),
    ({'text': 'bell\x07'}, 422), ({'extra': 1}, 422), ({'language': 'fr'}, 422),
    ({'visitor': {'id': 'v' * 101}}, 422), ({'visitor': {'id': 'v', 'email': 'no'}}, 422)]


def test_invalid_messages(http, make):
    for change, status in INVALID_MESSAGES_CASES:
        response = post_chat(http, make.client(), **change)
        assert response.status_code == status and response.get_json()['error']['fields']
        assert counts() == (0, 0)


def test_huge_and_binary_bodies(http, make):
    creds = make.client()
    assert post_chat(http, creds, text='x' * 20001).status_code == 422
    raw = b'{"text": "' + b'x' * 1_100_000 + b'"}'
    assert http.post('/api/v1/channels/chat/messages', data=raw, headers=creds.headers(raw)).status_code == 413
    binary = b'\xff\xfe\x00\x01' * 100
    response = http.post('/api/v1/channels/chat/messages', data=binary, headers=creds.headers(binary))
    assert response.status_code == 400 and response.get_json()['error']['code'] == 'invalid_json'
    assert counts() == (0, 0)


def test_unsigned_stale_and_forged_requests(http, make):
    creds = make.client()
    assert post_chat(http, creds, timestamp=int(time.time()) - 301).status_code == 401
    raw = b'{"conversation_id": "c"}'
    assert http.post('/api/v1/channels/chat/messages', data=raw, content_type='application/json').status_code == 401
    forged = creds.headers(raw)
    assert http.post('/api/v1/channels/chat/messages', data=raw + b' ', headers=forged).status_code == 401
    assert counts() == (0, 0)


def test_spanish_validation_messages(http, make):
    creds = make.client()
    raw = json.dumps({'conversation_id': 'c', 'message_id': 'm', 'visitor': {'id': 'v'}, 'text': ''}).encode()
    response = http.post('/api/v1/channels/chat/messages', data=raw,
                         headers=creds.headers(raw, **{'Accept-Language': 'es'}))
    assert response.status_code == 422
    assert response.get_json()['error']['fields']['text'] == ['La longitud debe estar entre 1 y 20000.']


def test_concurrent_messages_of_a_new_conversation_make_one_ticket(app, make):
    creds = make.client()
    db.session.remove()
    statuses = []

    def send(i):
        statuses.append(post_chat(app.test_client(), creds, message_id=f'm{i % 3}', text=f'mensaje {i % 3}').status_code)
    threads = [threading.Thread(target=send, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.remove()
    assert sorted(statuses) == [200, 200, 200, 201, 201, 201]
    assert counts() == (1, 3)

"""CSAT on SMS, WhatsApp and chat: "reply 1 to 5" through the inbound adapters. A rating while a survey
waits records it (no reopen); anything else ("muy bien", "7") continues the conversation as usual."""
import json

import pytest
import sqlalchemy as sa

from support.core.extensions import db
from support.tickets.models import Message, Ticket

from ..channels.providers import TWILIO_SID, TWILIO_TOKEN, add_channel, as_agent, post_twilio, twilio_sms
from .helpers import enable_csat, later, resolve, ticket

NUMBER = '+15005550006'
CUSTOMER = '+14155552671'


@pytest.fixture
def acme(http, make, admin, receiver_factory):
    creds = make.client(slug='acme', name='Acme Cable')
    add_channel(http, make, 'acme', 'twilio', TWILIO_TOKEN, [NUMBER], account_sid=TWILIO_SID)
    receiver = receiver_factory()
    for channel in ('whatsapp', 'sms', 'chat'):
        response = as_agent(http, admin, 'PUT', f'/api/v1/clients/acme/outbound/endpoints/{channel}',
                            json={'url': receiver.url})
        assert response.status_code == 200, response.get_json()
    agent = make.agent(name='Luis Pérez', languages=['en', 'es'])
    return creds, agent, receiver


def whatsapp(http, body):
    response = post_twilio(http, twilio_sms(sender=f'whatsapp:{CUSTOMER}', to=f'whatsapp:{NUMBER}', body=body))
    assert response.status_code == 200
    db.session.remove()


def sms(http, body):
    assert post_twilio(http, twilio_sms(sender=CUSTOMER, body=body)).status_code == 200
    db.session.remove()


def only_ticket():
    found = db.session.scalar(sa.select(Ticket))
    db.session.expunge_all()
    return found


def surveys(receiver):
    return [r for r in (json.loads(q['body']) for q in receiver.requests) if r['type'] == 'survey']


def test_whatsapp_resolve_asks_after_the_delay_and_a_rating_reply_records_it(http, make, admin, acme, events):
    creds, agent, receiver = acme
    enable_csat(http, admin, 'acme', delay=15)
    whatsapp(http, 'Hola, mi módem no conecta desde ayer, ¿me ayudan?')
    opened = only_ticket()
    assert opened.channel.value == 'whatsapp' and opened.language == 'es'
    resolve(as_http(http), agent, opened.id, reply='Listo: reiniciamos su módem, ya debería conectar.')
    assert later(14) == 0 and surveys(receiver) == []
    assert later(2) == 1
    [question] = surveys(receiver)
    assert question['ticket']['number'] == opened.id
    assert question['message']['body'] == (
        f'Acme Cable: ¿qué tan satisfecho está con la atención de su ticket #{opened.id}? Responda con un número '
        'del 1 (muy insatisfecho) al 5 (muy satisfecho).')
    assert {'kind': 'phone', 'value': CUSTOMER} in question['customer']['identities']

    whatsapp(http, '4 gracias')
    shown = ticket(http, agent, opened.id)
    assert shown['status'] == 'resolved'  # a rating is no new turn of the conversation
    assert shown['messages'][-1]['body'] == '4 gracias'
    answer = shown['csat']['response']
    assert (answer['rating'], answer['comment'], answer['via']) == (4, 'gracias', 'reply')
    assert answer['agent']['name'] == 'Luis Pérez' and answer['channel'] == 'whatsapp'
    assert any(name == 'csat.received' and f'agent:{agent.id}' in rooms for name, _p, rooms in events)

    whatsapp(http, '5')  # answered already: this is conversation again
    shown = ticket(http, agent, opened.id)
    assert shown['status'] == 'open' and shown['csat']['response']['rating'] == 4


@pytest.mark.parametrize('reply', ['muy bien', '7', '10 minutos después se cayó otra vez'])
def test_a_reply_that_is_no_rating_continues_the_conversation(http, make, admin, acme, reply):
    creds, agent, receiver = acme
    enable_csat(http, admin, 'acme', delay=0)
    sms(http, 'My set-top box shows error E42')
    opened = only_ticket()
    resolve(as_http(http), agent, opened.id)
    later(0)
    assert len(surveys(receiver)) == 1
    sms(http, reply)
    assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == 1
    shown = ticket(http, agent, opened.id)
    assert shown['status'] == 'open' and shown['messages'][-1]['body'] == reply
    assert shown['csat']['status'] == 'sent' and shown['csat']['response'] is None


def test_a_rating_with_no_survey_waiting_is_conversation(http, make, admin, acme):
    creds, agent, receiver = acme  # CSAT off for this client
    sms(http, 'Router blinking red')
    opened = only_ticket()
    resolve(as_http(http), agent, opened.id)
    sms(http, '5')
    assert ticket(http, agent, opened.id)['status'] == 'open'
    assert ticket(http, agent, opened.id)['csat'] is None


def test_sms_rating_after_the_answer_window_is_conversation(http, make, admin, acme):
    creds, agent, receiver = acme
    enable_csat(http, admin, 'acme', delay=0)
    sms(http, 'Router blinking red')
    opened = only_ticket()
    resolve(as_http(http), agent, opened.id)
    later(0)
    later(7 * 24 * 60 + 1)
    sms(http, '5')
    assert ticket(http, agent, opened.id)['status'] == 'open'
    assert ticket(http, agent, opened.id)['csat']['response'] is None


def test_chat_rating_reply(http, make, admin, acme):
    creds, agent, receiver = acme
    enable_csat(http, admin, 'acme', delay=0)
    chat = _chat(http, creds, 'The app does not load my bill', 'm1')
    assert chat.status_code == 201
    ticket_id = chat.get_json()['ticket']
    resolve(as_http(http), agent, ticket_id)
    later(0)
    assert surveys(receiver)[-1]['message']['body'].endswith(
        'Reply with a number from 1 (very dissatisfied) to 5 (very satisfied).')
    assert _chat(http, creds, '⭐⭐⭐⭐⭐ super fast', 'm2').status_code == 201
    answer = ticket(http, agent, ticket_id)['csat']['response']
    assert (answer['rating'], answer['comment'], answer['channel']) == (5, 'super fast', 'chat')
    assert db.session.scalar(sa.select(sa.func.count(Message.id)).where(Message.body == '⭐⭐⭐⭐⭐ super fast')) == 1


def _chat(http, creds, text, message_id):
    body = json.dumps({'conversation_id': 'conv-1', 'message_id': message_id, 'text': text,
                       'visitor': {'id': 'v-9', 'name': 'Visitor'}}).encode()
    response = http.post('/api/v1/channels/chat/messages', data=body, headers=creds.headers(body))
    db.session.remove()
    return response


def as_http(http):
    return http

"""Agents' replies and acknowledgements by e-mail, delivered to a real local SMTP server."""
from datetime import timedelta

import sqlalchemy as sa

from support.core import clock
from support.core.extensions import db
from support.outbound.models import OutboxItem

from .servers import run_sweep
from support.tickets.models import Message


def _reply(http, agent, ticket_id, body, **extra):
    response = http.post(f'/api/v1/tickets/{ticket_id}/messages', json={'kind': 'reply', 'body': body, **extra},
                         headers=agent.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _messages(http, agent, ticket_id):
    return http.get(f'/api/v1/tickets/{ticket_id}', headers=agent.headers).get_json()['messages']


def test_a_new_email_ticket_is_acknowledged_in_english(http, make, smtp_server):
    creds = make.client(name='Cablenet')
    ticket = make.ticket(creds, customer={'name': 'John Miller', 'email': 'john@example.com'})
    assert len(smtp_server.messages) == 1
    sent = smtp_server.messages[0]
    mail = sent['message']
    assert sent['to'] == ['john@example.com']
    assert mail['Subject'] == f'We received your request [#{ticket["number"]}]'
    assert mail['From'] == 'Support <help@support.example.com>'
    assert mail['Content-Language'] == 'en'
    assert mail['Auto-Submitted'] == 'auto-replied'
    assert mail['Message-ID'].endswith('@support.example.com>')
    body = mail.get_content()
    assert 'Hello John Miller' in body and f'ticket #{ticket["number"]}' in body and 'Cablenet' in body
    [ack] = [m for m in _messages(http, make.agent(), ticket['id']) if m['kind'] == 'outbound']
    assert ack['author']['type'] == 'system' and ack['delivery_status'] == 'sent'


def test_a_spanish_ticket_is_acknowledged_in_spanish(http, make, smtp_server):
    creds = make.client(name='Cablenet')
    make.ticket(creds, subject='Mi módem se desconecta', language='es',
                body='Mi conexión a internet se corta todas las noches a las ocho.',
                customer={'name': 'Ana García', 'email': 'ana@example.com'})
    mail = smtp_server.messages[0]['message']
    assert mail['Subject'].startswith('Hemos recibido su solicitud [#')
    assert mail['Content-Language'] == 'es'
    body = mail.get_content()
    assert body.startswith('Hola Ana García') and '«Mi módem se desconecta»' in body


def test_reply_threads_with_our_message_ids(http, make, smtp_server, app):
    creds = make.client()
    agent = make.agent(languages=['en', 'es'])
    ticket = make.ticket(creds, customer={'name': 'John Miller', 'email': 'john@example.com'})
    ack = smtp_server.messages[0]['message']
    first = _reply(http, agent, ticket['id'], 'Please restart the modem and tell us if it helps.')
    second = _reply(http, agent, ticket['id'], 'Did restarting help?')
    assert len(smtp_server.messages) == 3
    one, two = smtp_server.messages[1]['message'], smtp_server.messages[2]['message']
    assert one['Subject'] == f'Re: Modem keeps dropping [#{ticket["number"]}]'
    assert one['In-Reply-To'] == ack['Message-ID']
    assert two['In-Reply-To'] == one['Message-ID']
    assert two['References'].split() == [ack['Message-ID'], one['Message-ID']]
    assert 'Did restarting help?' in two.get_content()
    assert f'Ticket #{ticket["number"]}.' in two.get_content()
    stored = db.session.scalars(sa.select(Message.email_message_id).where(
        Message.id.in_([first['id'], second['id']])).order_by(Message.id)).all()
    assert stored == [one['Message-ID'], two['Message-ID']]
    assert [m['delivery_status'] for m in _messages(http, agent, ticket['id'])] == [None, 'sent', 'sent', 'sent']


def test_spanish_reply_subject_and_footer(http, make, smtp_server):
    creds = make.client()
    agent = make.agent(languages=['es'])
    ticket = make.ticket(creds, subject='Mi módem se desconecta', language='es',
                         body='Mi conexión se corta todas las noches.', customer={'email': 'ana@example.com'})
    _reply(http, agent, ticket['id'], 'Reinicie el módem, por favor. ¿Sigue el problema?')
    mail = smtp_server.messages[-1]['message']
    assert mail['Subject'] == f'RE: Mi módem se desconecta [#{ticket["number"]}]'
    assert mail['Content-Language'] == 'es'
    body = mail.get_content()
    assert 'Reinicie el módem, por favor. ¿Sigue el problema?' in body
    assert f'Caso n.º {ticket["number"]}.' in body


def test_notes_are_never_sent(http, make, smtp_server):
    creds = make.client()
    agent = make.agent()
    ticket = make.ticket(creds)
    http.post(f'/api/v1/tickets/{ticket["id"]}/messages', json={'kind': 'note', 'body': 'internal'},
              headers=agent.headers)
    assert len(smtp_server.messages) == 1  # the acknowledgement only


def test_smtp_down_then_up_nothing_lost(http, make, app, monkeypatch, smtp_server):
    creds = make.client()
    agent = make.agent()
    ticket = make.ticket(creds, customer={'email': 'john@example.com'})
    monkeypatch.setitem(app.config, 'SUPPORT_SMTP_URL', 'smtp://127.0.0.1:1')
    reply = _reply(http, agent, ticket['id'], 'We are on it.')
    item = db.session.scalar(sa.select(OutboxItem).filter_by(message_id=reply['id']))
    assert (item.status.value, item.attempts) == ('pending', 1) and 'refused' in item.last_error.lower()
    monkeypatch.setitem(app.config, 'SUPPORT_SMTP_URL', smtp_server.url)
    assert run_sweep() == {'outbox': 0, 'webhooks': 0}  # not due yet
    clock.advance(timedelta(seconds=31))
    assert run_sweep()['outbox'] == 1
    assert smtp_server.messages[-1]['message'].get_content().startswith('We are on it.')
    assert _messages(http, agent, ticket['id'])[-1]['delivery_status'] == 'sent'

"""A whole e-mail conversation: Mailgun inbound → acknowledgement → agent reply → the customer's
answer threads back by In-Reply-To → the next reply references the whole thread."""
import pytest

from ..channels.providers import MAILGUN_KEY, add_channel, as_agent, mailgun_fields, post_mailgun


@pytest.fixture
def acme(http, make, smtp_server):
    creds = make.client(slug='acme')
    add_channel(http, make, 'acme', 'mailgun', MAILGUN_KEY, ['support@acme.example'])
    return creds


def test_conversation_threads_both_ways(http, make, acme, smtp_server):
    agent = make.agent(languages=['es'])
    opened = post_mailgun(http, mailgun_fields(message_id='<first@mail.example.com>'))
    number = opened.get_json()['ticket']
    ack = smtp_server.messages[0]['message']
    assert ack['In-Reply-To'] == '<first@mail.example.com>'
    assert ack['Subject'] == f'Hemos recibido su solicitud [#{number}]'

    reply = as_agent(http, agent, 'POST', f'/api/v1/tickets/{number}/messages',
                     json={'kind': 'reply', 'body': 'Reinicie el router, por favor.'})
    assert reply.status_code == 201
    ours = smtp_server.messages[1]['message']
    assert ours['In-Reply-To'] == ack['Message-ID']

    answer = post_mailgun(http, mailgun_fields(subject=ours['Subject'], message_id='<second@mail.example.com>',
                                               in_reply_to=ours['Message-ID'], text='Ya lo reinicié y sigue igual.'))
    assert answer.get_json()['ticket'] == number  # threaded by our Message-ID
    as_agent(http, agent, 'POST', f'/api/v1/tickets/{number}/messages',
             json={'kind': 'reply', 'body': 'Le enviamos un técnico.'})
    last = smtp_server.messages[-1]['message']
    assert last['In-Reply-To'] == '<second@mail.example.com>'
    assert last['References'].split() == ['<first@mail.example.com>', ack['Message-ID'], ours['Message-ID'],
                                          '<second@mail.example.com>']

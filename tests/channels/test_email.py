"""Mailgun inbound email: documented form fields, signatures, threading, dedupe, attachments, encodings."""
import json
import threading
import time
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from support.channels.models import Attachment, InboundDelivery
from support.core.extensions import db
from support.tickets.models import Message, Ticket

from .providers import MAILGUN_KEY, add_channel, as_agent, mailgun_fields, mailgun_signature, multipart, post_mailgun

PNG = b'\x89PNG\r\n\x1a\n' + b'\x00' * 64


@pytest.fixture
def acme(http, make):
    creds = make.client(slug='acme')
    add_channel(http, make, 'acme', 'mailgun', MAILGUN_KEY, ['Support@Acme.example', 'ayuda@acme.example'])
    return creds


@pytest.fixture
def supervisor(make):
    return make.agent(role='supervisor', languages=['en', 'es'])


def counts():
    inbound = sa.select(sa.func.count(Message.id)).where(Message.kind == 'inbound')
    return db.session.scalar(sa.select(sa.func.count(Ticket.id))), db.session.scalar(inbound)


def ticket_of(http, supervisor, number):
    response = as_agent(http, supervisor, 'GET', f'/api/v1/tickets/{number}')
    assert response.status_code == 200
    return response.get_json()


def test_new_email_opens_a_ticket_in_spanish(http, acme, supervisor):
    response = post_mailgun(http, mailgun_fields(recipient='support@acme.example'))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()['status'] == 'accepted'
    ticket = ticket_of(http, supervisor, response.get_json()['ticket'])
    assert ticket['channel'] == 'email' and ticket['client'] == 'acme' and ticket['language'] == 'es'
    assert ticket['subject'] == 'Router sin conexión'
    assert ticket['customer']['email'] == 'ana@example.com' and ticket['customer']['name'] == 'Ana López'
    assert ticket['messages'][0]['body'] == 'Hola, mi router no enciende desde ayer. ¿Pueden ayudarme?'


def test_replies_thread_by_in_reply_to_then_references_then_subject_number(http, acme, supervisor):
    first = mailgun_fields(message_id='<first@mail.example.com>')
    number = post_mailgun(http, first).get_json()['ticket']
    by_header = mailgun_fields(subject='Re: Router', in_reply_to='<first@mail.example.com>', text='Sigue igual.')
    assert post_mailgun(http, by_header).get_json()['ticket'] == number
    refs = mailgun_fields(subject='Re: Router', text='Otra vez.',
                          references='<older-unknown@x> <first@mail.example.com> <newest-unknown@y>')
    assert post_mailgun(http, refs).get_json()['ticket'] == number
    by_subject = mailgun_fields(subject=f'Re: [#{number}] Router', text='¿Alguna novedad?')
    assert post_mailgun(http, by_subject).get_json()['ticket'] == number
    bodies = [m['body'] for m in ticket_of(http, supervisor, number)['messages'] if m['kind'] == 'inbound']
    assert bodies[1:] == ['Sigue igual.', 'Otra vez.', '¿Alguna novedad?']


def test_references_are_tried_newest_first(http, acme):
    old = post_mailgun(http, mailgun_fields(message_id='<a@x>', subject='Old')).get_json()['ticket']
    new = post_mailgun(http, mailgun_fields(message_id='<b@x>', subject='New', sender='bob@example.com')
                       ).get_json()['ticket']
    reply = mailgun_fields(subject='Re', references='<a@x> <b@x>')
    assert post_mailgun(http, reply).get_json()['ticket'] == new != old


def test_subject_number_of_someone_elses_ticket_opens_a_new_ticket(http, acme):
    number = post_mailgun(http, mailgun_fields()).get_json()['ticket']
    other = mailgun_fields(sender='mallory@example.com', subject=f'[#{number}] hello')
    assert post_mailgun(http, other).get_json()['ticket'] != number


def test_reply_to_our_own_outbound_message_id_threads(http, acme):
    number = post_mailgun(http, mailgun_fields()).get_json()['ticket']
    message = db.session.scalar(sa.select(Message).where(Message.ticket_id == number))
    if not hasattr(Message, 'email_message_id'):
        pytest.skip('outbound Message-IDs are not stored in this tree')
    message.email_message_id = '<support.1.1@acme.example>'
    db.session.commit()
    reply = mailgun_fields(subject='Re: hola', in_reply_to='<support.1.1@acme.example>')
    assert post_mailgun(http, reply).get_json()['ticket'] == number


def test_reply_to_a_closed_ticket_opens_a_follow_up(http, acme, supervisor):
    number = post_mailgun(http, mailgun_fields(message_id='<c@x>')).get_json()['ticket']
    for status in ('open', 'resolved', 'closed'):
        assert as_agent(http, supervisor, 'PATCH', f'/api/v1/tickets/{number}',
                        json={'status': status}).status_code == 200
    assert post_mailgun(http, mailgun_fields(in_reply_to='<c@x>')).get_json()['ticket'] != number


def test_retry_of_the_same_message_changes_nothing(http, acme):
    fields = mailgun_fields()
    first = post_mailgun(http, fields)
    retry = post_mailgun(http, {**fields, **mailgun_signature()})
    assert first.status_code == retry.status_code == 200
    assert retry.get_json() == {'status': 'duplicate', 'ticket': first.get_json()['ticket']}
    assert counts() == (1, 1)


def test_concurrent_retries_make_exactly_one_message(app, acme):
    fields = mailgun_fields()
    bodies = [multipart({**fields, **mailgun_signature()}) for _ in range(4)]
    statuses = []
    db.session.remove()  # the test's own session must not hold SQLite's write lock

    def deliver(body, content_type):
        statuses.append(app.test_client().post('/api/v1/channels/mailgun', data=body,
                                               content_type=content_type).status_code)
    threads = [threading.Thread(target=deliver, args=item) for item in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 4
    db.session.remove()
    assert counts() == (1, 1)
    assert db.session.scalar(sa.select(sa.func.count(InboundDelivery.id))) == 1


BAD_SIGNATURES_AND_UNKNOWN_RECIPIENTS_WRITE_NOTHING_CASES = [
    ({'signature': '0' * 64}, 401, 'signature_invalid'),
    ({'signature': ''}, 401, 'signature_missing'),
    ({'token': ''}, 401, 'signature_missing'),
    ({'recipient': 'nobody@elsewhere.example'}, 406, 'unknown_recipient'),
]


def test_bad_signatures_and_unknown_recipients_write_nothing(http, acme):
    for change, status, code in BAD_SIGNATURES_AND_UNKNOWN_RECIPIENTS_WRITE_NOTHING_CASES:
        response = post_mailgun(http, mailgun_fields(**change))
        assert response.status_code == status
        assert response.get_json()['error']['code'] == code
        assert counts() == (0, 0)


def test_signature_with_another_key_is_refused(http, acme):
    response = post_mailgun(http, mailgun_fields(**mailgun_signature(key='key-someone-else')))
    assert response.status_code == 401 and counts() == (0, 0)


def test_stale_timestamp_and_reused_token_are_refused(http, acme):
    stale = mailgun_fields(**mailgun_signature(timestamp=int(time.time()) - 301))
    response = post_mailgun(http, stale)
    assert response.status_code == 401 and response.get_json()['error']['code'] == 'timestamp_out_of_window'
    fields = mailgun_fields()
    assert post_mailgun(http, fields).status_code == 200
    replay = post_mailgun(http, {**fields, 'Message-Id': '<other@x>', 'subject': 'replayed'})
    assert replay.status_code == 406 and replay.get_json()['error']['code'] == 'replayed'
    assert counts() == (1, 1)


def test_errors_speak_spanish(http, acme):
    body, content_type = multipart(mailgun_fields(recipient='nadie@otro.example'))
    response = http.post('/api/v1/channels/mailgun', data=body, content_type=content_type,
                         headers={'Accept-Language': 'es'})
    assert response.status_code == 406
    assert response.get_json()['error']['message'] == 'Ningún cliente recibe correo en nadie@otro.example.'


def test_attachments_are_stored_and_listed(http, acme, supervisor):
    files = [('attachment-1', 'router.png', 'image/png', PNG),
             ('attachment-2', 'factura.pdf', 'application/pdf', b'%PDF-1.4\n%...')]
    response = post_mailgun(http, mailgun_fields(**{'attachment-count': '2'}), files)
    assert response.status_code == 200, response.get_json()
    message = ticket_of(http, supervisor, response.get_json()['ticket'])['messages'][0]
    assert [(a['filename'], a['content_type'], a['size']) for a in message['attachments']] == [
        ('router.png', 'image/png', len(PNG)), ('factura.pdf', 'application/pdf', 13)]
    download = as_agent(http, supervisor, 'GET', message['attachments'][0]['url'])
    assert download.status_code == 200 and download.data == PNG and download.mimetype == 'image/png'
    assert http.get(message['attachments'][0]['url']).status_code == 401


REFUSED_ATTACHMENTS_REJECT_THE_WHOLE_MESSAGE_CASES = [
    ([('attachment-1', 'big.png', 'image/png', PNG + b'\x00' * 2048)], 'attachment_too_large'),
    ([('attachment-1', 'invoice.pdf', 'application/pdf', b'MZ\x90\x00 this is a program')], 'attachment_type_refused'),
    ([('attachment-1', 'run.exe', 'application/x-msdownload', b'MZ\x90\x00')], 'attachment_type_refused'),
    ([('attachment-1', 'photo.png', 'image/png', b'GIF89a not a png')], 'attachment_type_refused'),
]


def test_refused_attachments_reject_the_whole_message(app, http, acme, monkeypatch):
    for files, code in REFUSED_ATTACHMENTS_REJECT_THE_WHOLE_MESSAGE_CASES:
        monkeypatch.setitem(app.config, 'SUPPORT_ATTACHMENT_MAX_BYTES', 1024)
        response = post_mailgun(http, mailgun_fields(), files)
        assert response.status_code == 406 and response.get_json()['error']['code'] == code
        assert counts() == (0, 0) and db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0


def test_a_message_over_the_size_limit_is_refused_with_406(app, http, acme, monkeypatch):
    monkeypatch.setitem(app.config, 'SUPPORT_EMAIL_MAX_BYTES', 4096)
    response = post_mailgun(http, mailgun_fields(), [('attachment-1', 'a.txt', 'text/plain', b'x' * 8000)])
    assert response.status_code == 406 and response.get_json()['error']['code'] == 'message_too_large'
    assert counts() == (0, 0)


def test_large_attachments_fit_under_the_email_limit(http, acme):
    big = PNG + b'\x00' * (3 * 1024 * 1024)   # larger than the 1 MB limit of JSON routes
    response = post_mailgun(http, mailgun_fields(), [('attachment-1', 'scan.png', 'image/png', big)])
    assert response.status_code == 200
    assert db.session.scalar(sa.select(Attachment.size)) == len(big)


PART_CHARSETS_AND_QUOTED_PRINTABLE_CASES = [('utf-8', None), ('iso-8859-1', None),
                                               ('utf-8', 'quoted-printable'), ('iso-8859-1', 'quoted-printable'),
                                               ('iso-8859-1', 'base64')]


def test_part_charsets_and_quoted_printable(http, acme, supervisor):
    for charset, encoding in PART_CHARSETS_AND_QUOTED_PRINTABLE_CASES:
        text = 'Buenos días, la señal del módem se cae. ¿Qué hago? Gracias, Iñaki'
        fields = mailgun_fields(text=text, subject='Señal débil', from_name='Iñaki Núñez')
        body, content_type = multipart(fields, charset=charset, transfer_encoding=encoding)
        response = http.post('/api/v1/channels/mailgun', data=body, content_type=content_type)
        assert response.status_code == 200, response.get_json()
        ticket = ticket_of(http, supervisor, response.get_json()['ticket'])
        assert ticket['messages'][0]['body'] == text and ticket['subject'] == 'Señal débil'
        assert ticket['customer']['name'] == 'Iñaki Núñez' and ticket['language'] == 'es'


def test_urlencoded_post_and_encoded_words(http, acme, supervisor):
    fields = mailgun_fields(text='Información de facturación, por favor.',
                            subject='=?ISO-8859-1?Q?Informaci=F3n_de_facturaci=F3n?=')
    response = http.post('/api/v1/channels/mailgun', data=urlencode(fields, encoding='latin-1'),
                         content_type='application/x-www-form-urlencoded')
    assert response.status_code == 200, response.get_json()
    ticket = ticket_of(http, supervisor, response.get_json()['ticket'])
    assert ticket['subject'] == 'Información de facturación'
    assert ticket['messages'][0]['body'] == 'Información de facturación, por favor.'


MALFORMED_POSTS_GET_A_CLEAR_ANSWER_CASES = [
    (b'{"recipient": "support@acme.example"}', 'application/json', 415),
    (b'\x00\x01\x02binary garbage' * 50, 'multipart/form-data; boundary=zzz', 406),
    (b'--zzz\r\nContent-Disposition: form-data; name="x"\r\n\r\n', 'multipart/form-data; boundary=zzz', 406),
    (b'', 'multipart/form-data; boundary=zzz', 406),
]


def test_malformed_posts_get_a_clear_answer(http, acme):
    for body, content_type, status in MALFORMED_POSTS_GET_A_CLEAR_ANSWER_CASES:
        response = http.post('/api/v1/channels/mailgun', data=body, content_type=content_type)
        assert response.status_code in (status, 401), response.data
        assert response.get_json()['error']['message']
        assert counts() == (0, 0)


def test_binary_text_is_refused(http, acme):
    response = post_mailgun(http, mailgun_fields(**{'stripped-text': 'hola\x00\x01\x02', 'body-plain': 'x\x00'}))
    assert response.status_code == 406 and response.get_json()['error']['code'] == 'binary_body'
    assert counts() == (0, 0)


def test_message_headers_are_used_when_fields_are_missing(http, acme):
    fields = mailgun_fields(message_id='<h@x>')
    number = post_mailgun(http, fields).get_json()['ticket']
    reply = mailgun_fields(subject='Re')
    headers = json.loads(reply['message-headers']) + [['In-Reply-To', '<h@x>']]
    reply.update({'In-Reply-To': '', 'message-headers': json.dumps(headers)})
    del reply['In-Reply-To']
    assert post_mailgun(http, reply).get_json()['ticket'] == number


def test_spent_tokens_are_forgotten_after_a_day(http, acme):
    from datetime import timedelta

    from support.channels.models import WebhookNonce
    from support.channels.operations import forget_nonces
    from support.core import clock
    assert post_mailgun(http, mailgun_fields()).status_code == 200
    assert forget_nonces(timedelta(days=1)) == 0
    clock.advance(timedelta(days=1, minutes=1))
    assert forget_nonces(timedelta(days=1)) == 1
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(WebhookNonce.id))) == 0


def test_html_only_email_becomes_readable_text(http, acme):
    html = ('<html><head><style>p {color: red}</style></head><body><p>Hola&nbsp;equipo,</p>'
            '<p>El m&oacute;dem <b>no</b> conecta.<br>Gracias</p><script>alert(1)</script></body></html>')
    fields = mailgun_fields(**{'stripped-text': '', 'body-plain': '', 'body-html': html, 'stripped-html': ''})
    assert post_mailgun(http, fields).status_code == 200
    assert db.session.scalar(sa.select(Message.body)) == 'Hola equipo,\nEl módem no conecta.\nGracias'


def test_rfc2231_file_names(http, acme, supervisor):
    fields = mailgun_fields()
    body, content_type = multipart(fields)
    part = ('--{b}\r\nContent-Disposition: form-data; name="attachment-1"; filename*=UTF-8\'\'factura%20a%C3%B1o.pdf'
            '\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\r\n').format(b=content_type.split('=')[1]).encode()
    body = body.replace(b'--' + content_type.split('=')[1].encode() + b'--', part + b'--' + content_type.split('=')[1].encode() + b'--')
    response = http.post('/api/v1/channels/mailgun', data=body, content_type=content_type)
    assert response.status_code == 200, response.get_json()
    assert db.session.scalar(sa.select(Attachment.filename)) == 'factura año.pdf'
    attachment_id = db.session.scalar(sa.select(Attachment.id))
    download = as_agent(http, supervisor, 'GET', f'/api/v1/channels/attachments/{attachment_id}')
    assert download.headers['Content-Disposition'] == (
        'attachment; filename="factura a_o.pdf"; filename*=UTF-8\'\'factura%20a%C3%B1o.pdf')
    assert download.headers['X-Content-Type-Options'] == 'nosniff'


def test_auto_replies_join_their_ticket_but_never_open_one(http, acme):
    number = post_mailgun(http, mailgun_fields(message_id='<ours@x>')).get_json()['ticket']
    auto = mailgun_fields(subject='Fuera de la oficina', text='Estoy de vacaciones.')
    headers = json.loads(auto['message-headers']) + [['Auto-Submitted', 'auto-replied']]
    alone = post_mailgun(http, {**auto, 'message-headers': json.dumps(headers)})
    assert alone.status_code == 200 and alone.get_json() == {'status': 'ignored', 'ticket': None}
    answering = mailgun_fields(in_reply_to='<ours@x>', text='Estoy de vacaciones.')
    headers = json.loads(answering['message-headers']) + [['Precedence', 'bulk']]
    joined = post_mailgun(http, {**answering, 'message-headers': json.dumps(headers)})
    assert joined.get_json() == {'status': 'accepted', 'ticket': number}
    assert counts() == (1, 2)


def test_mail_from_our_own_address_is_refused(http, acme):
    response = post_mailgun(http, mailgun_fields(sender='ayuda@acme.example'))
    assert response.status_code == 406 and response.get_json()['error']['code'] == 'mail_loop'
    assert counts() == (0, 0)

"""Twilio SMS and WhatsApp: X-Twilio-Signature as Twilio computes it, proxies, threading by number, dedupe."""
import threading

import pytest
import sqlalchemy as sa

from support.core.extensions import db
from support.tickets.models import Message, Ticket

from .providers import TWILIO_SID, TWILIO_TOKEN, add_channel, post_twilio, twilio_signature, twilio_sms

NUMBER = '+15005550006'


@pytest.fixture
def acme(http, make):
    make.client(slug='acme')
    return add_channel(http, make, 'acme', 'twilio', TWILIO_TOKEN, [NUMBER], account_sid=TWILIO_SID)


def counts():
    inbound = sa.select(sa.func.count(Message.id)).where(Message.kind == 'inbound')
    return db.session.scalar(sa.select(sa.func.count(Ticket.id))), db.session.scalar(inbound)


@pytest.mark.parametrize('caller, expected', [('+14158675309', 'RSOYDt4T1cUTdK1PDd93/VVr8B8='),
                                               ('+12349013030', '0/KCTR6DLpKmkAf8muzZqo1nDgQ=')])
def test_documented_example_signature(caller, expected):
    """The worked examples of Twilio's request validator (its SDK tests and its security docs)."""
    from werkzeug.datastructures import MultiDict

    from support.channels.twilio import twilio_signature as ours
    params = {'CallSid': 'CA1234567890ABCDE', 'Caller': caller, 'Digits': '1234', 'From': caller,
              'To': '+18005551212'}
    url = 'https://mycompany.com/myapp.php?foo=1&bar=2'
    assert ours('12345', url, MultiDict(params)) == twilio_signature(url, params, '12345') == expected


def test_sms_opens_a_ticket_and_answers_empty_twiml(http, acme):
    response = post_twilio(http, twilio_sms(body='Hola, mi decodificador no enciende'))
    assert response.status_code == 200 and response.mimetype == 'text/xml'
    assert response.data == b'<?xml version="1.0" encoding="UTF-8"?><Response/>'
    ticket = db.session.scalar(sa.select(Ticket))
    assert ticket.channel.value == 'sms' and ticket.customer.phone == '+14155552671' and ticket.language == 'es'


def test_whatsapp_from_marks_whatsapp_and_threads_separately(http, acme):
    post_twilio(http, twilio_sms(sender='+14155552671', body='SMS one'))
    wa = twilio_sms(sender='whatsapp:+14155552671', to=f'whatsapp:{NUMBER}', body='WhatsApp one',
                    ProfileName='María José', WaId='14155552671')
    assert post_twilio(http, wa).status_code == 200
    post_twilio(http, twilio_sms(sender='whatsapp:+14155552671', to=f'whatsapp:{NUMBER}', body='WhatsApp two'))
    post_twilio(http, twilio_sms(sender='+14155552671', body='SMS two'))
    tickets = db.session.scalars(sa.select(Ticket).order_by(Ticket.id)).all()
    assert [(t.channel.value, [m.body for m in t.messages if m.kind.value == 'inbound']) for t in tickets] == [
        ('sms', ['SMS one', 'SMS two']), ('whatsapp', ['WhatsApp one', 'WhatsApp two'])]
    assert tickets[0].customer_id == tickets[1].customer_id


def test_mms_media_urls_are_listed(http, acme):
    params = twilio_sms(body='', NumMedia='1', MediaUrl0='https://api.twilio.com/2010-04-01/Accounts/AC/Media/ME1',
                        MediaContentType0='image/jpeg')
    assert post_twilio(http, params).status_code == 200
    assert db.session.scalar(sa.select(Message.body)) == '[image/jpeg] https://api.twilio.com/2010-04-01/Accounts/AC/Media/ME1'


def test_retry_is_processed_once(http, acme):
    params = twilio_sms()
    assert post_twilio(http, params).status_code == 200
    assert post_twilio(http, params).status_code == 200
    assert counts() == (1, 1)


BAD_SIGNATURES_WRITE_NOTHING_CASES = [('wrong_token', 403), ('other_url', 403), ('tampered', 403),
                                          ('missing', 401), ('other_account', 403)]


def test_bad_signatures_write_nothing(http, acme):
    for case, status in BAD_SIGNATURES_WRITE_NOTHING_CASES:
        params = twilio_sms()
        headers = {'X-Twilio-Signature': twilio_signature('http://localhost/api/v1/channels/twilio', params)}
        if case == 'wrong_token':
            headers['X-Twilio-Signature'] = twilio_signature('http://localhost/api/v1/channels/twilio', params, 'nope')
        elif case == 'other_url':
            headers['X-Twilio-Signature'] = twilio_signature('https://evil.example/api/v1/channels/twilio', params)
        elif case == 'missing':
            headers = {}
        elif case == 'other_account':
            params['AccountSid'] = 'AC' + 'f' * 32
            headers['X-Twilio-Signature'] = twilio_signature('http://localhost/api/v1/channels/twilio', params)
        signed = dict(params)
        if case == 'tampered':
            params = {**params, 'Body': 'changed'}
        response = http.post('/api/v1/channels/twilio', data=params, headers=headers)
        assert response.status_code == status, response.get_json()
        assert counts() == (0, 0) and signed


def test_behind_a_proxy_the_configured_public_url_is_signed(app, http, acme, monkeypatch):
    params = twilio_sms()
    public = 'https://support.example.com/api/v1/channels/twilio'
    assert post_twilio(http, params, url=public).status_code == 403
    monkeypatch.setitem(app.config, 'SUPPORT_PUBLIC_URL', 'https://support.example.com')
    assert post_twilio(http, params, url=public).status_code == 200
    assert post_twilio(http, twilio_sms(), url='https://support.example.com:443/api/v1/channels/twilio'
                       ).status_code == 200


def test_per_number_public_url(http, make):
    make.client(slug='beta')
    add_channel(http, make, 'beta', 'twilio', TWILIO_TOKEN, ['+15550001111'],
                public_url='https://hooks.beta.example/sms?client=beta')
    params = twilio_sms(to='+15550001111')
    assert post_twilio(http, params, url='https://hooks.beta.example/sms?client=beta').status_code == 200


def test_unknown_number_and_malformed_posts(http, acme):
    assert post_twilio(http, twilio_sms(to='+15559999999')).status_code == 404
    no_sender = twilio_sms(sender='')
    response = post_twilio(http, no_sender)
    assert response.status_code == 422 and 'From' in response.get_json()['error']['fields']
    json_body = http.post('/api/v1/channels/twilio', json={'To': NUMBER})
    assert json_body.status_code == 415
    binary = http.post('/api/v1/channels/twilio', data=b'\xff\x00\xfe' * 100,
                       content_type='application/x-www-form-urlencoded', headers={'X-Twilio-Signature': 'x'})
    assert binary.status_code in (404, 403)
    assert counts() == (0, 0)


def test_utf8_spanish_and_emoji(http, acme):
    text = 'Buenas tardes, ¿me ayudan? El módem parpadea en ámbar 😟'
    assert post_twilio(http, twilio_sms(body=text)).status_code == 200
    assert db.session.scalar(sa.select(Message.body)) == text


def test_concurrent_retries_make_one_message(app, acme):
    params = twilio_sms()
    statuses = []
    db.session.remove()

    def deliver():
        statuses.append(post_twilio(app.test_client(), params).status_code)
    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 4
    db.session.remove()
    assert counts() == (1, 1)


def test_concurrent_first_messages_of_one_number_make_one_ticket(app, acme):
    bodies = [twilio_sms(body=f'message {i}') for i in range(4)]
    db.session.remove()
    threads = [threading.Thread(target=lambda p=p: post_twilio(app.test_client(), p)) for p in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.remove()
    assert counts() == (1, 4)


def test_whatsapp_location(http, acme):
    params = twilio_sms(sender='whatsapp:+14155552671', to=f'whatsapp:{NUMBER}', body='', Latitude='40.4168',
                        Longitude='-3.7038', Address='Puerta del Sol, Madrid')
    assert post_twilio(http, params).status_code == 200
    assert db.session.scalar(sa.select(Message.body)) == '[location] 40.4168,-3.7038 Puerta del Sol, Madrid'

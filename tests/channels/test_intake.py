"""Signed intake from client systems: signatures, replay window, idempotency, isolation, limits."""
import json
import threading
import time

import pytest

from support.core.extensions import db
from support.tickets.models import Ticket

from ..factories import ticket_body


def post_raw(http, creds, raw: bytes, **headers):
    return http.post('/api/v1/intake/tickets', data=raw, headers=creds.headers(raw, **headers))


def test_signed_ticket_is_created(make, http):
    creds = make.client()
    response = make.post_ticket(creds, subject='No internet', body='The modem shows a red light since this morning.',
                                channel='email', priority='high', tags=['Modem', 'modem', 'outage'],
                                external_id='CRM-77', customer={'name': 'Ann', 'email': 'Ann@Example.com'})
    assert response.status_code == 201
    ticket = response.get_json()
    assert ticket['status'] == 'new' and ticket['priority'] == 'high' and ticket['client'] == creds.slug
    assert ticket['tags'] == ['modem', 'outage']
    assert ticket['language'] == 'en' and ticket['language_source'] == 'detected'
    assert ticket['external_id'] == 'CRM-77'


def test_signature_over_a_different_body_is_refused(make, http):
    creds = make.client()
    raw = json.dumps(ticket_body()).encode()
    headers = creds.headers(raw)
    response = http.post('/api/v1/intake/tickets', data=raw.replace(b'Modem', b'Router'), headers=headers)
    assert response.status_code == 401
    assert response.get_json()['error']['code'] == 'signature_invalid'
    assert db.session.query(Ticket).count() == 0


def test_wrong_secret_unknown_key_and_missing_headers(make, http):
    creds = make.client()
    raw = json.dumps(ticket_body()).encode()
    forged = creds.headers(raw)
    forged['X-Support-Signature'] = forged['X-Support-Signature'][:-4] + '0000'
    assert http.post('/api/v1/intake/tickets', data=raw, headers=forged).status_code == 401
    unknown = dict(creds.headers(raw), **{'X-Support-Key': 'nope_123'})
    assert http.post('/api/v1/intake/tickets', data=raw, headers=unknown).status_code == 401
    bare = {'Content-Type': 'application/json'}
    response = http.post('/api/v1/intake/tickets', data=raw, headers=bare)
    assert response.status_code == 401 and response.get_json()['error']['code'] == 'signature_missing'


@pytest.mark.parametrize('skew, status', [(-299, 201), (299, 201), (-301, 401), (301, 401)])
def test_replay_window_is_300_seconds(make, http, skew, status):
    creds = make.client()
    raw = json.dumps(ticket_body()).encode()
    response = http.post('/api/v1/intake/tickets', data=raw, headers=creds.headers(raw, int(time.time()) + skew))
    assert response.status_code == status
    if status == 401:
        assert response.get_json()['error']['code'] == 'timestamp_out_of_window'


def test_revoked_key_is_refused_and_second_key_works(make, http):
    admin = make.agent(role='admin')
    creds = make.client()
    new_key = http.post(f'/api/v1/clients/{creds.slug}/keys', headers=admin.headers).get_json()
    assert http.post(f'/api/v1/clients/{creds.slug}/keys', headers=admin.headers).status_code == 409
    assert http.delete(f'/api/v1/clients/{creds.slug}/keys/{creds.key_id}', headers=admin.headers).status_code == 200
    assert make.post_ticket(creds).status_code == 401
    creds.key_id, creds.secret = new_key['key_id'], new_key['secret']
    assert make.post_ticket(creds).status_code == 201


def test_idempotent_retry_returns_the_same_ticket(make, http):
    creds = make.client()
    raw = json.dumps(ticket_body(subject='Same request')).encode()
    first = post_raw(http, creds, raw, **{'Idempotency-Key': 'req-1'})
    again = post_raw(http, creds, raw, **{'Idempotency-Key': 'req-1'})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()['id'] == again.get_json()['id']
    assert db.session.query(Ticket).count() == 1


def test_same_key_with_another_body_is_a_conflict(make, http):
    creds = make.client()
    assert make.post_ticket(creds, headers={'Idempotency-Key': 'req-2'}, subject='One').status_code == 201
    response = make.post_ticket(creds, headers={'Idempotency-Key': 'req-2'}, subject='Two')
    assert response.status_code == 409
    assert response.get_json()['error']['code'] == 'idempotency_mismatch'


def test_idempotency_keys_are_per_client(make, http):
    a, b = make.client(), make.client()
    assert make.post_ticket(a, headers={'Idempotency-Key': 'shared'}).status_code == 201
    assert make.post_ticket(b, headers={'Idempotency-Key': 'shared'}).status_code == 201
    assert db.session.query(Ticket).count() == 2


def test_concurrent_retries_create_one_ticket(app, make):
    creds = make.client()
    raw = json.dumps(ticket_body(subject='Racing retries')).encode()
    barrier = threading.Barrier(8)
    results = []
    db.session.close()

    def fire():
        with app.test_client() as http:
            barrier.wait()
            response = post_raw(http, creds, raw, **{'Idempotency-Key': 'race-1'})
            results.append((response.status_code, response.get_json().get('id')))

    threads = [threading.Thread(target=fire) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.session.remove()
    assert sorted(code for code, _ in results) == [200] * 7 + [201]
    assert len({ticket_id for _, ticket_id in results}) == 1
    assert db.session.query(Ticket).count() == 1


def test_client_cannot_read_another_clients_ticket(make, http):
    a, b = make.client(), make.client()
    ticket = make.ticket(a)
    path = f'/api/v1/intake/tickets/{ticket["id"]}'
    assert http.get(path, headers=a.headers(b'')).status_code == 200
    response = http.get(path, headers=b.headers(b''))
    assert response.status_code == 404


def test_flooding_client_gets_429_with_retry_after(make, http):
    slow = make.client(intake_rate_limit='3/minute')
    other = make.client()
    codes = [make.post_ticket(slow).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    limited = make.post_ticket(slow)
    assert limited.status_code == 429 and int(limited.headers['Retry-After']) > 0
    assert limited.get_json()['error']['code'] == 'rate_limited'
    assert make.post_ticket(other).status_code == 201


class TestBadInput:
    def test_malformed_json(self, make, http):
        response = post_raw(http, make.client(), b'{"subject": ')
        assert response.status_code == 400
        assert response.get_json()['error']['code'] == 'invalid_json'

    def test_wrong_content_type(self, make, http):
        creds = make.client()
        raw = json.dumps(ticket_body()).encode()
        response = http.post('/api/v1/intake/tickets', data=raw,
                             headers=creds.headers(raw, **{'Content-Type': 'text/plain'}))
        assert response.status_code == 415

    def test_body_over_one_mebibyte(self, make, http):
        raw = json.dumps(ticket_body(body='x' * (1024 * 1024 + 10))).encode()
        response = post_raw(http, make.client(), raw)
        assert response.status_code == 413
        assert response.get_json()['error']['code'] == 'payload_too_large'

    def test_unknown_fields_and_wrong_types_in_spanish(self, make, http):
        raw = json.dumps(ticket_body(colour='red', priority=5, channel='fax', language='fr')).encode()
        response = post_raw(http, make.client(), raw, **{'Accept-Language': 'es'})
        assert response.status_code == 422
        fields = response.get_json()['error']['fields']
        assert fields['colour'] == ['Campo desconocido.']
        assert fields['priority'] == ['No es una cadena de texto válida.']
        assert fields['channel'][0].startswith('Debe ser uno de:')
        assert fields['language'][0].startswith('Debe ser uno de:')
        assert response.get_json()['error']['message'] == 'Algunos campos no son válidos.'

    def test_absurd_strings(self, make, http):
        creds = make.client()
        for body in (ticket_body(subject='x' * 100_000), ticket_body(subject='bell\x07here'),
                     ticket_body(subject='two\nlines'), ticket_body(body='nul\x00byte')):
            response = post_raw(http, creds, json.dumps(body).encode())
            assert response.status_code == 422, body['subject'][:20]
        assert db.session.query(Ticket).count() == 0

    def test_customer_needs_a_contact(self, make, http):
        response = make.post_ticket(make.client(), customer={'name': 'Nobody'})
        assert response.status_code == 422
        assert 'customer' in response.get_json()['error']['fields']

    def test_json_that_is_not_an_object(self, make, http):
        response = post_raw(http, make.client(), b'[1, 2, 3]')
        assert response.status_code == 422


def test_same_new_customer_writing_twice_at_once_is_one_customer(app, make):
    from support.tickets.models import Customer, CustomerIdentity
    creds = make.client()
    bodies = [json.dumps(ticket_body(subject=f'Parallel {i}', customer={'name': 'Twin', 'email': 'twin@example.com',
                                                                       'phone': '+52 55 0000 0000'})).encode()
              for i in range(6)]
    barrier = threading.Barrier(len(bodies))
    codes = []
    db.session.close()

    def fire(raw):
        with app.test_client() as http:
            barrier.wait()
            codes.append(post_raw(http, creds, raw).status_code)

    threads = [threading.Thread(target=fire, args=(raw,)) for raw in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.session.remove()
    assert codes == [201] * len(bodies)
    assert db.session.query(Customer).count() == 1
    assert db.session.query(CustomerIdentity).count() == 2
    assert {t.customer_id for t in db.session.query(Ticket)} == {db.session.query(Customer).one().id}

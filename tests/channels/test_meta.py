"""Meta Messenger and Instagram: handshake, X-Hub-Signature-256, batches, threading by sender, dedupe."""
import threading

import pytest
import sqlalchemy as sa

from support.core.extensions import db
from support.tickets.models import Message, Ticket

from .providers import META_SECRET, add_channel, meta_batch, meta_message, post_meta

PAGE, IG = '110022334455', '178414000000001'


@pytest.fixture
def acme(http, make):
    make.client(slug='acme')
    return add_channel(http, make, 'acme', 'meta', META_SECRET, [PAGE, IG], verify_token='verify-me-please')


def counts():
    inbound = sa.select(sa.func.count(Message.id)).where(Message.kind == 'inbound')
    return db.session.scalar(sa.select(sa.func.count(Ticket.id))), db.session.scalar(inbound)


def handshake(http, **params):
    query = {'hub.mode': 'subscribe', 'hub.verify_token': 'verify-me-please', 'hub.challenge': '1158201444'}
    query.update(params)
    return http.get('/api/v1/channels/meta', query_string=query)


def test_handshake_echoes_the_challenge(http, acme):
    response = handshake(http)
    assert response.status_code == 200 and response.data == b'1158201444' and response.mimetype == 'text/plain'


HANDSHAKE_REFUSALS_CASES = [({'hub.verify_token': 'wrong-token'}, 403), ({'hub.mode': 'unsubscribe'}, 400),
                                            ({'hub.challenge': ''}, 400), ({'hub.challenge': '<script>'}, 200)]


def test_handshake_refusals(http, acme):
    for params, status in HANDSHAKE_REFUSALS_CASES:
        response = handshake(http, **params)
        assert response.status_code == status


def test_generated_verify_token_is_shown_once(http, make):
    make.client(slug='beta')
    created = add_channel(http, make, 'beta', 'meta', META_SECRET, ['998877'])
    assert len(created['verify_token']) >= 24 and 'secret' not in created
    assert handshake(http, **{'hub.verify_token': created['verify_token']}).status_code == 200


def test_a_batch_with_several_entries_creates_each_message_once(http, acme):
    batch = meta_batch([(PAGE, [meta_message(sender='1001', text='Hola, no tengo internet', mid='m1'),
                                meta_message(sender='1002', text='My TV box is frozen', mid='m2')]),
                        (PAGE, [meta_message(sender='1001', text='Sigo sin servicio', mid='m3')])])
    response = post_meta(http, batch)
    assert response.status_code == 200 and response.data == b'EVENT_RECEIVED'
    assert counts() == (2, 3)
    assert post_meta(http, batch).status_code == 200   # Meta's retry of the whole batch
    assert counts() == (2, 3)
    tickets = db.session.scalars(sa.select(Ticket).order_by(Ticket.id)).all()
    assert [t.channel.value for t in tickets] == ['social', 'social']
    assert [m.body for m in tickets[0].messages] == ['Hola, no tengo internet', 'Sigo sin servicio']
    assert tickets[0].customer.handle == 'messenger:1001' and tickets[0].language == 'es'
    assert tickets[0].tags == ['messenger']


def test_instagram_messages_and_attachments(http, acme):
    item = meta_message(sender='5550001', page=IG, mid='ig1', text='')
    item['message'] = {'mid': 'ig1', 'attachments': [{'type': 'image', 'payload': {'url': 'https://cdn.example/x.jpg'}}]}
    assert post_meta(http, meta_batch([(IG, [item])], platform='instagram')).status_code == 200
    ticket = db.session.scalar(sa.select(Ticket))
    assert ticket.customer.handle == 'instagram:5550001' and ticket.tags == ['instagram']
    assert ticket.messages[0].body == '[image] https://cdn.example/x.jpg'


def test_echoes_reads_and_deliveries_are_ignored(http, acme):
    echo = meta_message(mid='e1')
    echo['message']['is_echo'] = True
    read = {'sender': {'id': '1'}, 'recipient': {'id': PAGE}, 'timestamp': 1, 'read': {'watermark': 1}}
    assert post_meta(http, meta_batch([(PAGE, [echo, read])])).status_code == 200
    assert counts() == (0, 0)


def test_sender_threads_into_the_open_conversation_until_it_is_closed(http, acme, make):
    post_meta(http, meta_batch([(PAGE, [meta_message(sender='42', mid='a', text='First question')])]))
    post_meta(http, meta_batch([(PAGE, [meta_message(sender='42', mid='b', text='Second question')])]))
    assert counts() == (1, 2)
    ticket = db.session.scalar(sa.select(Ticket))
    ticket.status = 'closed'
    db.session.commit()
    post_meta(http, meta_batch([(PAGE, [meta_message(sender='42', mid='c', text='New problem')])]))
    assert counts() == (2, 3)


def test_unknown_pages_in_a_batch_are_skipped(http, acme):
    batch = meta_batch([('999999', [meta_message(page='999999', mid='x1')]), (PAGE, [meta_message(mid='x2')])])
    assert post_meta(http, batch).status_code == 200
    assert counts() == (1, 1)
    only_unknown = meta_batch([('999999', [meta_message(page='999999', mid='x3')])])
    response = post_meta(http, only_unknown)
    assert response.status_code == 404 and response.get_json()['error']['code'] == 'unknown_page'


def test_bad_signatures_write_nothing(http, acme):
    batch = meta_batch([(PAGE, [meta_message()])])
    assert post_meta(http, batch, secret='another-app-secret').status_code == 403
    assert post_meta(http, batch, signature='sha1=abc').status_code == 403
    response = http.post('/api/v1/channels/meta', json=batch)
    assert response.status_code == 401 and response.get_json()['error']['code'] == 'signature_missing'
    assert counts() == (0, 0)


MALFORMED_BODIES_CASES = [b'not json', b'[]', b'{"object": "page"}', b'{"object": "whatsapp", "entry": []}',
                                  '{"object": "page", "entry": [{"id": "1", "messaging": "x"}]}'.encode(),
                                  b'\xff\xfe\x00binary', b'{"object": "page", "entry": [{"id": "110022334455", '
                                  b'"messaging": [{"sender": {"id": "1"}, "message": {"mid": "m", "attachments": 5}}]}]}']


def test_malformed_bodies(http, acme):
    for body in MALFORMED_BODIES_CASES:
        response = http.post('/api/v1/channels/meta', data=body, content_type='application/json',
                             headers={'X-Hub-Signature-256': 'sha256=00'})
        assert response.status_code in (400, 403, 404) and response.get_json()['error']['message']
        assert counts() == (0, 0)


def test_odd_attachments_and_huge_bodies(http, acme):
    item = meta_message(mid='odd')
    item['message']['attachments'] = 5
    assert post_meta(http, meta_batch([(PAGE, [item])])).status_code == 200
    huge = meta_batch([(PAGE, [meta_message(text='x' * 2_000_000)])])
    assert post_meta(http, huge).status_code == 413
    assert counts() == (1, 1)


def test_one_malformed_item_rejects_the_whole_batch(http, acme):
    batch = meta_batch([(PAGE, [meta_message(mid='ok1'), {'sender': {'id': 'abc'}, 'message': {'mid': 'm'}}])])
    response = post_meta(http, batch)
    assert response.status_code == 400 and counts() == (0, 0)


def test_concurrent_retries_of_a_batch(app, acme):
    batch = meta_batch([(PAGE, [meta_message(sender='7', mid='c1', text='uno'),
                                meta_message(sender='7', mid='c2', text='dos'),
                                meta_message(sender='8', mid='c3', text='tres')])])
    statuses = []
    db.session.remove()

    def deliver():
        statuses.append(post_meta(app.test_client(), batch).status_code)
    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 4
    db.session.remove()
    assert counts() == (2, 3)


def test_a_message_without_mid_rejects_the_batch_so_meta_retries(http, acme):
    nameless = meta_message(sender='1001', text='Where is my order?')
    del nameless['message']['mid']
    response = post_meta(http, meta_batch([(PAGE, [meta_message(mid='kept-for-later'), nameless])]))
    assert response.status_code == 400
    assert response.get_json()['error']['code'] == 'message_id_missing'
    assert response.get_json()['error']['message'] == 'Every message needs message.mid.'
    assert counts() == (0, 0)  # nothing half-taken: Meta retries the whole batch


def test_a_sender_id_that_is_not_numeric_is_named_as_such(http, acme):
    odd = meta_message(sender='user-abc', mid='m-odd')
    response = post_meta(http, meta_batch([(PAGE, [odd])]))
    assert response.status_code == 400
    error = response.get_json()['error']
    assert error['code'] == 'sender_invalid' and 'sender.id' in error['message'] and 'mid' not in error['message']
    missing = meta_message(mid='m-nobody')
    del missing['sender']
    assert post_meta(http, meta_batch([(PAGE, [missing])])).get_json()['error']['code'] == 'sender_missing'

"""Queues routing creates by itself are named in the reader's language."""


def test_automatic_queue_name_follows_the_reader(make, http):
    creds = make.client(name='Acme Cable')
    make.ticket(creds, channel='chat', subject='Sin señal', body='Mi decodificador no tiene señal desde ayer')
    boss = make.agent(role='supervisor')
    names = {}
    for lang in ('en', 'es'):
        queues = http.get('/api/v1/routing/queues', headers={**boss.headers, 'Accept-Language': lang}).get_json()
        names[lang] = [q['name'] for q in queues if q['client'] == creds.slug]
    assert names == {'en': ['Acme Cable · Spanish · messaging'], 'es': ['Acme Cable · Español · mensajería']}

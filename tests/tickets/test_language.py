"""Language detection on real short support phrases, and how the language is decided."""
import pytest

from support.tickets.language import detect

ENGLISH = ['My internet is not working', 'The modem keeps restarting', 'I want to cancel my subscription',
           'My laptop will not turn on', 'How do I reset my router?', 'I was charged twice this month',
           'No signal on the TV since yesterday', 'Can someone call me back please']
SPANISH = ['Mi internet no funciona', 'El módem se reinicia solo', 'Quiero cancelar mi suscripción',
           'Mi laptop no enciende', '¿Cómo reinicio mi router?', 'Me cobraron dos veces este mes',
           'No hay señal en la tele desde ayer', 'Necesito hablar con un asesor']


@pytest.mark.parametrize('phrase', ENGLISH)
def test_english_phrases(phrase):
    assert detect(phrase) == 'en'


@pytest.mark.parametrize('phrase', SPANISH)
def test_spanish_phrases(phrase):
    assert detect(phrase) == 'es'


@pytest.mark.parametrize('phrase', ['ok', 'si', 'no', '12345', '???', ''])
def test_too_short_or_ambiguous_is_unknown(phrase):
    assert detect(phrase) is None


def test_short_text_falls_back_to_the_customers_language(make):
    creds = make.client()
    customer = {'name': 'Lupita', 'phone': '+52 55 1234 5678'}
    first = make.ticket(creds, subject='Problema con mi módem', body='Mi internet se desconecta cada noche.',
                        customer=customer)
    assert (first['language'], first['language_source']) == ('es', 'detected')
    second = make.ticket(creds, subject='ok', body='ok', customer=customer)
    assert (second['language'], second['language_source']) == ('es', 'customer_preference')


def test_nothing_to_go_on_uses_the_clients_default(make):
    creds = make.client(default_language='es')
    ticket = make.ticket(creds, subject='ok', body='??', customer={'email': 'new@example.com'})
    assert (ticket['language'], ticket['language_source']) == ('es', 'client_default')


def test_given_language_wins(make):
    ticket = make.ticket(make.client(), subject='Mi módem no funciona', body='Ayuda por favor', language='en')
    assert (ticket['language'], ticket['language_source']) == ('en', 'given')

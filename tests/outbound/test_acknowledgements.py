"""Automatic acknowledgements: asynchronous channels only, the customer's language, per-client texts."""


def _url(slug, rest=''):
    return f'/api/v1/clients/{slug}/outbound{rest}'


def test_builtin_templates_in_both_languages(http, make, admin):
    creds = make.client()
    listed = http.get(_url(creds.slug, '/acknowledgements'), headers=admin.headers).get_json()
    assert [(t['language'], t['custom']) for t in listed] == [('en', False), ('es', False)]
    assert listed[0]['subject'] == 'We received your request [#{number}]'
    assert listed[1]['subject'] == 'Hemos recibido su solicitud [#{number}]'
    assert listed[1]['body'].startswith('Hola {name}:')


def test_client_template_is_used_for_its_language(http, make, admin, smtp_server):
    creds = make.client(name='Cablenet')
    saved = http.put(_url(creds.slug, '/acknowledgements/es'), headers=admin.headers, json={
        'subject': 'Cablenet: caso {number} recibido',
        'body': 'Estimado/a {name}:\nsu caso {number} ({subject}) está en cola. Atentamente, {client}.'})
    assert saved.status_code == 200 and saved.get_json()['custom'] is True
    make.ticket(creds, language='es', subject='Sin señal', body='No tengo señal de televisión desde ayer.',
                customer={'name': 'Ana', 'email': 'ana@example.com'})
    make.ticket(creds, language='en', customer={'name': 'John', 'email': 'john@example.com'})
    spanish, english = smtp_server.messages[0]['message'], smtp_server.messages[1]['message']
    assert spanish['Subject'] == 'Cablenet: caso 1 recibido'
    text = spanish.get_content().replace('\r\n', '\n').strip()
    assert text == 'Estimado/a Ana:\nsu caso 1 (Sin señal) está en cola. Atentamente, Cablenet.'
    assert english['Subject'] == 'We received your request [#2]'  # English still uses the built-in text
    preview = http.get(_url(creds.slug, '/acknowledgements/es/preview'), headers=admin.headers).get_json()
    assert preview['subject'] == 'Cablenet: caso 1234 recibido'
    reset = http.delete(_url(creds.slug, '/acknowledgements/es'), headers=admin.headers).get_json()
    assert reset['custom'] is False and reset['subject'].startswith('Hemos recibido')


def test_bad_templates_are_refused_in_the_callers_language(http, make, admin):
    creds = make.client()
    headers = {**admin.headers, 'Accept-Language': 'es'}
    for subject in ('Caso {number.__class__}', 'Caso {0}', 'Caso {numero}', 'Caso {number', 'Caso {number!r}'):
        response = http.put(_url(creds.slug, '/acknowledgements/es'), headers=headers,
                            json={'subject': subject, 'body': 'Hola'})
        assert response.status_code == 422, subject
        [message] = response.get_json()['error']['fields']['subject']
        assert message.startswith(('Marcador desconocido', 'Las llaves')), message
    assert http.put(_url(creds.slug, '/acknowledgements/fr'), headers=admin.headers,
                    json={'subject': 'x', 'body': 'y'}).status_code == 404
    assert http.put(_url(creds.slug, '/acknowledgements/en'), headers=admin.headers,
                    json={'subject': 'a\nb', 'body': 'y'}).status_code == 422
    assert http.put(_url(creds.slug, '/acknowledgements/en'), headers=admin.headers,
                    json={'subject': 'ok', 'body': 'y', 'extra': 1}).status_code == 422


def test_literal_braces_are_allowed(http, make, admin, smtp_server):
    creds = make.client()
    assert http.put(_url(creds.slug, '/acknowledgements/en'), headers=admin.headers,
                    json={'subject': '{{Ticket}} {number}', 'body': 'Got it.'}).status_code == 200
    make.ticket(creds, language='en')
    assert smtp_server.messages[0]['message']['Subject'] == '{Ticket} 1'


def test_synchronous_channels_and_switched_off_clients_get_none(http, make, admin, smtp_server):
    creds = make.client()
    make.ticket(creds, channel='chat', customer={'email': 'chat@example.com'})
    make.ticket(creds, channel='phone', customer={'email': 'phone@example.com'})
    assert smtp_server.messages == []
    settings = http.patch(_url(creds.slug, '/settings'), headers=admin.headers, json={'acknowledgements': False})
    assert settings.status_code == 200 and settings.get_json()['acknowledgements'] is False
    make.ticket(creds, channel='email')
    assert smtp_server.messages == []


def test_web_ticket_without_endpoint_is_acknowledged_by_email(http, make, smtp_server):
    creds = make.client()
    make.ticket(creds, channel='web', customer={'email': 'web@example.com'})
    assert smtp_server.messages[0]['to'] == ['web@example.com']


def test_sender_identity_per_client(http, make, admin, smtp_server):
    creds = make.client()
    response = http.patch(_url(creds.slug, '/settings'), headers=admin.headers,
                          json={'email_from': 'ayuda@cablenet.example', 'email_from_name': 'Cablenet Ayuda'})
    assert response.status_code == 200
    assert http.get(_url(creds.slug, '/settings'), headers=admin.headers).get_json() == {
        'email_from': 'ayuda@cablenet.example', 'email_from_name': 'Cablenet Ayuda', 'acknowledgements': True}
    make.ticket(creds)
    mail = smtp_server.messages[0]['message']
    assert mail['From'] == 'Cablenet Ayuda <ayuda@cablenet.example>'
    assert mail['Message-ID'].endswith('@cablenet.example>')
    bad = http.patch(_url(creds.slug, '/settings'), headers=admin.headers, json={'email_from': 'not-an-address'})
    assert bad.status_code == 422


def test_customer_without_name_is_greeted_generically(http, make, smtp_server):
    creds = make.client()
    make.ticket(creds, language='es', subject='Factura', body='Tengo una duda sobre mi factura de este mes.',
                customer={'email': 'anon@example.com'})
    assert smtp_server.messages[0]['message'].get_content().startswith('Hola cliente:')


def test_no_acknowledgement_without_smtp(http, make, app, monkeypatch):
    monkeypatch.setitem(app.config, 'SUPPORT_SMTP_URL', None)
    monkeypatch.delenv('SUPPORT_SMTP_URL', raising=False)
    agent = make.agent()
    ticket = make.ticket(make.client(), channel='email')
    messages = http.get(f'/api/v1/tickets/{ticket["id"]}', headers=agent.headers).get_json()['messages']
    assert [m['kind'] for m in messages] == ['inbound']

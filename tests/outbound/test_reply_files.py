"""Replies with files (``POST /api/v1/tickets/<id>/replies``): kept on the message, downloadable by those who may
see the ticket, sent as MIME parts by the e-mail path; too large is a 413, a refused type a 422, in English or Spanish."""
import io

PDF = b'%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n'
CSV = 'modem,estado\nHG8145,reiniciado\n'.encode()


def _reply(http, agent, ticket_id, files, body='Adjunto el manual y la lista de equipos.', **form):
    data = {'body': body, **form, 'files': [(io.BytesIO(content), name, kind) for name, kind, content in files]}
    return http.post(f'/api/v1/tickets/{ticket_id}/replies', data=data, headers=agent.headers,
                     content_type='multipart/form-data')


def test_files_go_with_the_email_reply_and_can_be_downloaded(http, make, smtp_server):
    creds = make.client()
    agent = make.agent(languages=['en', 'es'])
    ticket = make.ticket(creds, language='es', customer={'name': 'Ana García', 'email': 'ana@example.com'})
    response = _reply(http, agent, ticket['id'], [('manual módem.pdf', 'application/pdf', PDF),
                                                   ('equipos.csv', 'text/csv', CSV)], status='pending')
    assert response.status_code == 201, response.get_json()
    message = response.get_json()
    assert [(a['filename'], a['content_type'], a['size']) for a in message['attachments']] == [
        ('manual módem.pdf', 'application/pdf', len(PDF)), ('equipos.csv', 'text/csv', len(CSV))]
    detail = http.get(f'/api/v1/tickets/{ticket["id"]}', headers=agent.headers).get_json()
    assert detail['status'] == 'pending' and detail['messages'][-1]['delivery_status'] == 'sent'

    mail = smtp_server.messages[-1]['message']
    assert mail['To'] == 'Ana García <ana@example.com>' and mail['Content-Language'] == 'es'
    parts = list(mail.iter_attachments())
    assert [(p.get_filename(), p.get_content_type(), p.get_content()) for p in parts] == [
        ('manual módem.pdf', 'application/pdf', PDF), ('equipos.csv', 'text/csv', CSV.decode())]
    assert 'Adjunto el manual' in mail.get_body(('plain',)).get_content()

    download = http.get(message['attachments'][0]['url'], headers=agent.headers)
    assert download.status_code == 200 and download.data == PDF
    assert "filename*=UTF-8''manual%20m%C3%B3dem.pdf" in download.headers['Content-Disposition']
    stranger = make.agent(clients=[make.client().slug])
    assert http.get(message['attachments'][0]['url'], headers=stranger.headers).status_code == 404


def test_too_large_is_a_413_and_a_refused_type_a_422_in_spanish(http, make, app, monkeypatch, smtp_server):
    creds = make.client()
    agent = make.agent(languages=['en', 'es'], locale='es')
    ticket = make.ticket(creds, customer={'name': 'Ana García', 'email': 'ana@example.com'})
    monkeypatch.setitem(app.config, 'SUPPORT_ATTACHMENT_MAX_BYTES', 1024 * 1024)
    big = _reply(http, agent, ticket['id'], [('foto.png', 'image/png', b'\x89PNG\r\n\x1a\n' + b'0' * 1024 * 1024)])
    assert big.status_code == 413, big.get_json()
    assert big.get_json()['error']['message'] == 'El adjunto "foto.png" ocupa más de 1 MB.'
    monkeypatch.setitem(app.config, 'SUPPORT_REPLY_UPLOAD_MAX_BYTES', 64 * 1024)
    body = _reply(http, agent, ticket['id'], [('datos.csv', 'text/csv', b'a,b\n' * 40000)])
    assert body.status_code == 413 and body.get_json()['error']['code'] == 'payload_too_large'

    renamed = _reply(http, agent, ticket['id'], [('factura.pdf', 'application/pdf', b'MZ\x90\x00 not a pdf')])
    assert renamed.status_code == 422
    assert renamed.get_json()['error']['fields']['files'] == [
        'El adjunto "factura.pdf" no es de un tipo aceptado (application/pdf).']
    script = _reply(http, agent, ticket['id'], [('run.sh', 'application/x-sh', b'echo hi')])
    assert script.status_code == 422 and 'files' in script.get_json()['error']['fields']
    empty = _reply(http, agent, ticket['id'], [('vacío.txt', 'text/plain', b'')])
    assert empty.status_code == 422
    assert http.post(f'/api/v1/tickets/{ticket["id"]}/replies', data={'body': 'sin archivos'}, headers=agent.headers,
                     content_type='multipart/form-data').status_code == 422
    no_body = _reply(http, agent, ticket['id'], [('equipos.csv', 'text/csv', CSV)], body='')
    assert no_body.status_code == 422 and 'body' in no_body.get_json()['error']['fields']
    detail = http.get(f'/api/v1/tickets/{ticket["id"]}', headers=agent.headers).get_json()
    assert [m['kind'] for m in detail['messages']].count('outbound') == 1  # only the acknowledgement


def test_files_only_in_replies_by_email(http, make):
    creds = make.client()
    agent = make.agent()
    chat = make.ticket(creds, channel='chat', customer={'name': 'Ben', 'email': 'ben@example.com'})
    response = _reply(http, agent, chat['id'], [('equipos.csv', 'text/csv', CSV)])
    assert response.status_code == 422
    assert response.get_json()['error']['fields']['files'] == ['Files can only be sent in replies by e-mail.']

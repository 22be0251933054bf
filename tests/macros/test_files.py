"""A macro applied as an e-mail reply with files (``POST /tickets/<id>/macros/<id>/apply-with-files``, multipart):
the reply, its files and the macro's actions in one transaction; files are checked as replies check them, and a
refused file or action changes nothing."""
import io

from ..outbound.conftest import smtp_server  # noqa: F401

PDF = b'%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n'
CLOSE = {'title': 'Manual enviado', 'kind': 'reply', 'body_es': 'Hola {{ customer.first_name }}, le envío el manual.',
         'actions': {'status': 'pending', 'add_tags': ['manual']}}


def _apply(http, macros, ticket, macro, files, body='Hola María, le envío el manual del módem.', who=None):
    data = {'body': body, 'files': [(io.BytesIO(content), name, kind) for name, kind, content in files]}
    return http.post(f"/api/v1/tickets/{ticket['id']}/macros/{macro['id']}/apply-with-files", data=data,
                     headers=(who or macros.agent).headers, content_type='multipart/form-data')


def test_the_reply_its_files_and_the_actions_go_together(macros, http, smtp_server):
    macro = macros.create(**CLOSE)
    ticket = macros.ticket(subject='Manual del módem')
    applied = _apply(http, macros, ticket, macro, [('manual módem.pdf', 'application/pdf', PDF)])
    assert applied.status_code == 200, applied.get_json()
    body = applied.get_json()
    assert body['message']['body'] == 'Hola María, le envío el manual del módem.'
    assert [(a['filename'], a['size']) for a in body['message']['attachments']] == [('manual módem.pdf', len(PDF))]
    assert body['ticket']['status'] == 'pending' and body['changes']['tags'] == [[], ['manual']]
    detail = macros.detail(ticket)
    assert detail['tags'] == ['manual'] and detail['messages'][-1]['delivery_status'] == 'sent'
    kinds = [e['kind'] for e in detail['events']]
    assert kinds[kinds.index('macro_applied'):][:2] == ['macro_applied', 'reply_added'] and 'tags_changed' in kinds
    mail = smtp_server.messages[-1]['message']
    assert [(p.get_filename(), p.get_content()) for p in mail.iter_attachments()] == [('manual módem.pdf', PDF)]
    assert 'le envío el manual del módem' in mail.get_body(('plain',)).get_content()


def test_a_refused_file_action_or_channel_changes_nothing(macros, http, smtp_server):
    macro = macros.create(**CLOSE)
    ticket = macros.ticket()
    before = macros.detail(ticket)
    renamed = _apply(http, macros, ticket, macro, [('factura.pdf', 'application/pdf', b'MZ\x90\x00 not a pdf')])
    assert renamed.status_code == 422 and 'files' in renamed.get_json()['error']['fields']
    assert _apply(http, macros, ticket, macro, [], body='sin archivos').status_code == 422
    no_body = _apply(http, macros, ticket, macro, [('m.pdf', 'application/pdf', PDF)], body='')
    assert no_body.status_code == 422 and 'body' in no_body.get_json()['error']['fields']
    closed = macros.ticket()
    for status in ('open', 'resolved', 'closed'):
        http.patch(f"/api/v1/tickets/{closed['id']}", json={'status': status}, headers=macros.agent.headers)
    resolve = macros.create(title='Resolver', body_es='Listo', actions={'status': 'resolved'})
    closed_before = macros.detail(closed)
    refused = _apply(http, macros, closed, resolve, [('m.pdf', 'application/pdf', PDF)])
    assert refused.status_code == 409 and refused.get_json()['error']['code'] == 'invalid_transition'
    assert len(macros.detail(closed)['messages']) == len(closed_before['messages'])
    chat = macros.ticket(channel='chat')
    on_chat = _apply(http, macros, chat, macro, [('m.pdf', 'application/pdf', PDF)])
    assert on_chat.status_code == 422
    assert on_chat.get_json()['error']['fields']['files'] == ['Files can only be sent in replies by e-mail.']
    after = macros.detail(ticket)
    assert (len(after['messages']), len(after['events']), after['tags']) == (
        len(before['messages']), len(before['events']), before['tags'])
    assert not macros.detail(chat)['tags']

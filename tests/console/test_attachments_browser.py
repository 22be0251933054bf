"""In headless Chromium: a customer's file shown in the thread and downloaded; a file attached to an e-mail reply,
sent and shown; a refused file explained in the agent's language."""
import hashlib

import sqlalchemy as sa
from playwright.sync_api import expect

from .conftest import screenshot

PNG = b'\x89PNG\r\n\x1a\n' + b'\x00' * 64
PDF = b'%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n'
TICKET = {'subject': 'Luz roja en el módem', 'channel': 'email', 'language': 'es',
          'body': 'Les mando una foto del módem con la luz roja encendida.',
          'customer': {'name': 'Julia Mora', 'email': 'julia.mora@example.com'}}


def _customer_file(server, message_id):
    """The file as the e-mail adapter stores one (the scratch database of the test server)."""
    engine = sa.create_engine(server.env['SUPPORT_DATABASE_URL'])
    with engine.begin() as connection:
        connection.execute(sa.text(
            'INSERT INTO attachments (message_id, filename, content_type, size, sha256, data, created_at) '
            "VALUES (:m, 'foto del módem.png', 'image/png', :size, :sha, :data, CURRENT_TIMESTAMP)"),
            {'m': message_id, 'size': len(PNG), 'sha': hashlib.sha256(PNG).hexdigest(), 'data': PNG})
    engine.dispose()


def _open(page, ticket):
    page.locator('body').press('/')
    page.locator('[data-testid=search-box]').fill('luz roja')
    expect(page.locator(f'.search-hit[data-ticket-id="{ticket["id"]}"]')).to_have_count(1)
    page.keyboard.press('Enter')
    expect(page.locator('[data-testid=ticket-view]')).to_have_attribute('data-ticket-id', str(ticket['id']))


def test_files_in_the_thread_and_in_an_email_reply(open_page, server):
    ticket = server.post_ticket(server.seed['client'], **TICKET)
    token = server.seed['agent']['token']
    first = server.api('GET', f'/tickets/{ticket["id"]}', token).json()['messages'][0]
    _customer_file(server, first['id'])
    agent = open_page('agent', '/console')  # Spanish
    _open(agent, ticket)
    link = agent.locator('.msg.kind-inbound [data-testid=attachment]')
    expect(link).to_have_text('foto del módem.png')
    with agent.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == 'foto del módem.png'
    with open(download.value.path(), 'rb') as saved:
        assert saved.read() == PNG

    agent.locator('input[name=kind][value=note]').check()
    expect(agent.locator('#reply-files-box')).to_be_hidden()  # files go with e-mail replies only
    agent.locator('input[name=kind][value=reply]').check()
    expect(agent.locator('#reply-files-box')).to_be_visible()
    expect(agent.locator('label.file-button')).to_have_text('Adjuntar archivos')
    agent.set_input_files('[data-testid=reply-files]', files=[
        {'name': 'programa.pdf', 'mimeType': 'application/pdf', 'buffer': b'MZ\x90\x00 no es un pdf'}])
    agent.fill('[data-testid=reply-body]', 'Le envío el manual.')
    agent.click('[data-testid=send]')
    expect(agent.locator('.toast.error')).to_have_text(
        'El adjunto "programa.pdf" no es de un tipo aceptado (application/pdf).')

    agent.set_input_files('[data-testid=reply-files]', files=[
        {'name': 'manual del módem.pdf', 'mimeType': 'application/pdf', 'buffer': PDF}])
    expect(agent.locator('[data-testid=chosen-files]')).to_contain_text('manual del módem.pdf')
    agent.fill('[data-testid=reply-body]', 'Le envío el manual; la luz roja indica que falta la señal.')
    screenshot(agent, 'attachments-compose-es.png')
    agent.click('[data-testid=send]')
    sent = agent.locator('.msg.kind-outbound', has_text='Le envío el manual')
    expect(sent.locator('[data-testid=attachment]')).to_have_text('manual del módem.pdf')
    expect(agent.locator('[data-testid=chosen-files] li')).to_have_count(0)
    screenshot(agent, 'attachments-thread-es.png')
    detail = server.api('GET', f'/tickets/{ticket["id"]}', token).json()
    reply = [m for m in detail['messages'] if m['kind'] == 'outbound' and 'manual' in m['body']]
    assert [a['filename'] for a in reply[0]['attachments']] == ['manual del módem.pdf']
    assert len([m for m in detail['messages'] if 'Le envío el manual.' == m['body']]) == 0  # the refused one

    agent.select_option('[data-testid=locale-switch]', 'en')
    expect(agent.locator('h2#tickets-title')).to_have_text('My tickets')
    _open(agent, ticket)
    expect(agent.locator('label.file-button')).to_have_text('Attach files')
    expect(agent.locator('.msg.kind-inbound [data-testid=attachment]')).to_have_text('foto del módem.png')
    screenshot(agent, 'attachments-thread-en.png')
    server.api('PATCH', '/auth/me', token, json={'locale': 'es'})
    for status in ('open', 'resolved'):
        server.api('PATCH', f'/tickets/{ticket["id"]}', token, json={'status': status})
    assert [e for e in agent.errors if '422' not in e and 'no es de un tipo aceptado' not in e] == []  # the refused file


def test_a_macro_and_files_in_one_email_reply(open_page, server):
    made = server.api('POST', '/macros', server.seed['supervisor']['token'], json={
        'client': 'acme', 'title': 'Manual enviado', 'body_es': 'Hola {{ customer.first_name }}, le envío el manual.',
        'body_en': 'Hi {{ customer.first_name }}, here is the manual.',
        'actions': {'status': 'pending', 'add_tags': ['manual']}})
    assert made.status_code == 201, made.text
    token = server.seed['agent']['token']
    ticket = server.post_ticket(server.seed['client'], **{**TICKET, 'subject': 'Luz roja otra vez'})
    agent = open_page('agent', '/console')  # Spanish
    _open(agent, ticket)
    agent.select_option('[data-testid=macro]', label='Manual enviado')
    expect(agent.locator('[data-testid=reply-body]')).to_have_value('Hola Julia, le envío el manual.')
    agent.set_input_files('[data-testid=reply-files]', files=[
        {'name': 'manual del módem.pdf', 'mimeType': 'application/pdf', 'buffer': PDF}])
    expect(agent.locator('[data-testid=macro-actions]')).to_contain_text('agregar etiquetas manual')
    expect(agent.locator('[data-testid=chosen-files]')).to_contain_text('manual del módem.pdf')
    screenshot(agent, 'attachments-macro-compose-es.png')
    agent.click('[data-testid=send]')
    expect(agent.locator('.toast', has_text='Macro "Manual enviado" aplicada.')).to_have_count(1)
    sent = agent.locator('.msg.kind-outbound', has_text='Hola Julia, le envío el manual.')
    expect(sent.locator('[data-testid=attachment]')).to_have_text('manual del módem.pdf')
    expect(agent.locator('[data-testid=status-badge]')).to_have_text('Pendiente')
    expect(agent.locator('[data-testid=tags]')).to_contain_text('manual')
    expect(agent.locator('[data-testid=chosen-files] li')).to_have_count(0)
    screenshot(agent, 'attachments-macro-sent-es.png')
    detail = server.api('GET', f'/tickets/{ticket["id"]}', token).json()
    [reply] = [m for m in detail['messages'] if m['kind'] == 'outbound' and 'le envío el manual' in m['body']]
    assert [a['filename'] for a in reply['attachments']] == ['manual del módem.pdf']
    assert detail['tags'] == ['manual'] and detail['status'] == 'pending'

    agent.select_option('[data-testid=locale-switch]', 'en')
    expect(agent.locator('h2#tickets-title')).to_have_text('My tickets')
    english = server.post_ticket(server.seed['client'], **{**TICKET, 'subject': 'Red light on my modem', 'language': 'en',
                                                           'body': 'The red light is on again.'})
    agent.locator('body').press('/')
    agent.locator('[data-testid=search-box]').fill('Red light on my modem')
    expect(agent.locator(f'.search-hit[data-ticket-id="{english["id"]}"]')).to_have_count(1)
    agent.keyboard.press('Enter')
    expect(agent.locator('[data-testid=ticket-view]')).to_have_attribute('data-ticket-id', str(english['id']))
    agent.select_option('[data-testid=macro]', label='Manual enviado')
    expect(agent.locator('[data-testid=reply-body]')).to_have_value('Hi Julia, here is the manual.')
    agent.set_input_files('[data-testid=reply-files]', files=[
        {'name': 'modem manual.pdf', 'mimeType': 'application/pdf', 'buffer': PDF}])
    agent.click('[data-testid=send]')
    expect(agent.locator('.toast', has_text='Macro "Manual enviado" applied.')).to_have_count(1)
    sent = agent.locator('.msg.kind-outbound', has_text='Hi Julia, here is the manual.')
    expect(sent.locator('[data-testid=attachment]')).to_have_text('modem manual.pdf')
    screenshot(agent, 'attachments-macro-sent-en.png')
    server.api('PATCH', '/auth/me', token, json={'locale': 'es'})
    for ticket_id in (ticket['id'], english['id']):
        for status in ('open', 'resolved'):
            server.api('PATCH', f'/tickets/{ticket_id}', token, json={'status': status})
    assert agent.errors == []

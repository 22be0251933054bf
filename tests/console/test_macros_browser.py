"""Macros in Chromium: a supervisor writes one with placeholders and actions on the macros page (a bad
template is refused under its field, the preview fills both texts), an agent picks it on a Spanish
ticket (the reply box fills in, the actions show), edits and sends: reply, status, priority and tags
change together and the history says so. Screenshots in English and Spanish."""
from playwright.sync_api import expect

from .conftest import screenshot

BODY_ES = ('Hola {{ customer.first_name }}, soy {{ agent.name }} de {{ client.name }}. '
           'Reiniciamos su módem del ticket #{{ ticket.number }}.{{ customer.phone }}')
BODY_EN = 'Hi {{ customer.first_name }}, this is {{ agent.name }} from {{ client.name }}. We restarted your modem.'


def _email_ticket(server, **body):
    return server.post_ticket(server.seed['client'], channel='email', **body)


def _plan_field(server):
    response = server.api('POST', '/clients/acme/fields', server.seed['admin']['token'], json={
        'name': 'plan', 'type': 'select', 'label_en': 'Plan', 'label_es': 'Plan contratado',
        'options': [{'value': 'fiber', 'label_en': 'Fiber', 'label_es': 'Fibra'},
                    {'value': 'dsl', 'label_en': 'DSL', 'label_es': 'DSL'}]})
    assert response.status_code == 201, response.text


def test_supervisor_writes_a_macro_and_an_agent_applies_it(open_page, server):
    _plan_field(server)
    boss = open_page('supervisor', '/console/macros')
    expect(boss.locator('h2#macros-title')).to_have_text('Macros')
    expect(boss.locator('[data-testid=macro-row]', has_text='Saludo y cierre')).to_have_count(1)
    boss.click('[data-testid=macro-new]')
    boss.fill('[data-testid=macro-title]', 'Módem reiniciado')
    boss.select_option('[data-testid=macro-client]', 'acme')
    boss.fill('[data-testid=macro-body-en]', BODY_EN)
    boss.fill('[data-testid=macro-body-es]', '{{ customer.__class__ }} {% if %}')
    boss.select_option('[data-testid=macro-status]', 'pending')
    boss.select_option('[data-testid=macro-priority]', 'high')
    boss.fill('[data-testid=macro-add-tags]', 'modem, reiniciado')
    boss.select_option('[data-testid=macro-field-plan]', 'fiber')
    boss.click('[data-testid=macro-save]')
    expect(boss.locator('[data-testid=error-body_es]')).to_contain_text('Line 1: this is not a valid template')
    boss.fill('[data-testid=macro-body-es]', BODY_ES)
    boss.click('[data-testid=macro-preview]')
    expect(boss.locator('[data-testid=macro-preview-en]')).to_have_text(
        'Hi John, this is Sergio Supervisor from Acme Cable. We restarted your modem.')
    expect(boss.locator('[data-testid=macro-preview-es]')).to_contain_text('Hola María, soy Sergio Supervisor')
    screenshot(boss, 'macros-page-en.png')
    boss.click('[data-testid=macro-save]')
    expect(boss.locator('.toast', has_text='Macro "Módem reiniciado" saved.')).to_have_count(1)
    row = boss.locator('[data-testid=macro-row]', has_text='Módem reiniciado')
    expect(row).to_contain_text('status Pending · priority High · add tags modem, reiniciado · set plan = fiber')
    boss.select_option('[data-testid=locale-switch]', 'es')
    expect(boss.locator('h2#macros-title')).to_have_text('Macros')
    expect(boss.locator('[data-testid=macro-row]', has_text='Módem reiniciado')).to_contain_text(
        'estado Pendiente · prioridad Alta · agregar etiquetas modem, reiniciado · poner plan = fiber')
    boss.locator('[data-testid=macro-row]', has_text='Módem reiniciado').locator('[data-testid=macro-edit]').click()
    expect(boss.locator('[data-testid=macro-body-es]')).to_have_value(BODY_ES)
    expect(boss.locator('[data-testid=macro-field-plan]')).to_have_value('fiber')
    boss.click('[data-testid=macro-preview]')
    expect(boss.locator('[data-testid=macro-preview-es]')).to_contain_text('Hola María')
    screenshot(boss, 'macros-page-es.png')

    agent = open_page('agent')
    agent.select_option('#presence', 'available')
    expect(agent.locator('body')).to_have_attribute('data-presence', 'available')
    ticket = _email_ticket(server, subject='El módem no enciende', language='es', tags=['nuevo'],
                           body='Mi módem no prende desde la tormenta.',
                           customer={'name': 'Rosa Díaz', 'email': 'rosa@example.com'})
    agent.locator('[data-testid=ticket-item]', has_text='El módem no enciende').click()
    expect(agent.locator('#t-title')).to_contain_text('El módem no enciende')
    agent.select_option('[data-testid=macro]', label='Módem reiniciado')
    expected = (f'Hola Rosa, soy Lucía Hernández de Acme Cable. Reiniciamos su módem del ticket #{ticket["number"]}.')
    expect(agent.locator('[data-testid=reply-body]')).to_have_value(expected)
    expect(agent.locator('[data-testid=macro-actions]')).to_contain_text(
        'Al enviar: estado Pendiente · prioridad Alta · agregar etiquetas modem, reiniciado · poner plan = fiber')
    agent.locator('[data-testid=reply-body]').press('End')
    agent.locator('[data-testid=reply-body]').type(' Saludos.')
    screenshot(agent, 'console-macro-es.png')
    agent.click('[data-testid=send]')
    expect(agent.locator('.toast', has_text='Macro "Módem reiniciado" aplicada.')).to_have_count(1)
    expect(agent.locator('[data-testid=status-badge]')).to_have_text('Pendiente')
    expect(agent.locator('#t-meta')).to_contain_text('Alta')
    expect(agent.locator('.msg.kind-outbound [data-testid=message-body]')).to_have_text(expected + ' Saludos.')
    expect(agent.locator('#history')).to_contain_text('Macro aplicada: Módem reiniciado')
    expect(agent.locator('[data-testid=macro-actions]')).to_be_hidden()
    detail = server.api('GET', f'/tickets/{ticket["id"]}', server.seed['agent']['token']).json()
    assert (detail['status'], detail['priority'], detail['tags']) == ('pending', 'high',
                                                                       ['nuevo', 'modem', 'reiniciado'])
    assert detail['fields'] == {'plan': 'fiber'}

    agent.select_option('[data-testid=locale-switch]', 'en')
    english = _email_ticket(server, subject='Modem will not start', language='en',
                            body='My modem does not power on since the storm.',
                            customer={'name': 'Tom Baker', 'email': 'tom@example.com'})
    agent.locator('[data-testid=ticket-item]', has_text='Modem will not start').click()
    agent.select_option('[data-testid=macro]', label='Módem reiniciado')
    expect(agent.locator('[data-testid=reply-body]')).to_have_value(
        'Hi Tom, this is Lucía Hernández from Acme Cable. We restarted your modem.')
    expect(agent.locator('[data-testid=macro-actions]')).to_contain_text(
        'On send: status Pending · priority High · add tags modem, reiniciado · set plan = fiber')
    screenshot(agent, 'console-macro-en.png')
    agent.click('[data-testid=macro-clear]')
    expect(agent.locator('[data-testid=reply-body]')).to_have_value('')
    assert server.api('GET', f'/tickets/{english["id"]}', server.seed['agent']['token']).json()['status'] == 'new'
    assert agent.errors == []
    assert all('422' in error for error in boss.errors), boss.errors  # the refused template, and only that


def test_the_macros_page_fits_a_phone_and_a_laptop(browser, server):
    from .conftest import login
    for name, viewport in (('phone', {'width': 390, 'height': 844}), ('laptop', {'width': 1366, 'height': 768})):
        context = browser.new_context(viewport=viewport, locale='en-US', timezone_id='UTC')
        page = context.new_page()
        login(page, server, server.seed['supervisor']['email'])
        page.goto(server.url + '/console/macros')
        expect(page.locator('[data-testid=macro-row]').first).to_be_visible()
        page.click('[data-testid=macro-new]')
        expect(page.locator('[data-testid=macro-editor]')).to_be_visible()
        assert page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), name
        screenshot(page, f'macros-page-{name}.png')
        context.close()

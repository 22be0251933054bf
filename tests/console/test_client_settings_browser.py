"""The client settings page in Chromium: an admin switches CSAT on with a delay (a bad delay is refused under
its field) and manages the client's custom fields (a select field with English and Spanish option labels,
required before resolve; an option added later; deactivated), an agent sees the field on a ticket, and a
supervisor may only read. English and Spanish, screenshots of each."""
from playwright.sync_api import expect

from .conftest import screenshot


def _option(page, index, value, label_en, label_es):
    row = page.locator('[data-testid=option-row]').nth(index)
    row.locator('[data-testid=option-value]').fill(value)
    row.locator('[data-testid=option-label_en]').fill(label_en)
    row.locator('[data-testid=option-label_es]').fill(label_es)


def test_admin_manages_csat_and_custom_fields_of_a_client(open_page, server):
    admin_token = server.seed['admin']['token']
    admin = open_page('admin', '/console/clients')  # Ana works in English
    expect(admin.locator('h2#clients-title')).to_have_text('Client settings')
    expect(admin.locator('[data-testid=settings-client]')).to_have_value('acme')
    expect(admin.locator('[data-testid=field-table]')).to_contain_text('This client has no custom fields yet.')

    admin.locator('[data-testid=csat-enabled]').check()
    admin.fill('[data-testid=csat-delay]', '20000')
    admin.click('[data-testid=csat-save]')
    expect(admin.locator('[data-testid=error-csat_delay_minutes]')).not_to_be_empty()
    admin.fill('[data-testid=csat-delay]', '15')
    admin.click('[data-testid=csat-save]')
    expect(admin.locator('.toast', has_text='Acme Cable: customers are asked 15 min after a resolve.')).to_have_count(1)
    shown = server.api('GET', '/clients/acme', admin_token).json()
    assert (shown['csat_enabled'], shown['csat_delay_minutes']) == (True, 15)

    admin.click('[data-testid=field-new]')
    admin.fill('[data-testid=field-name]', 'Modem plan')
    admin.select_option('[data-testid=field-type]', 'select')
    admin.fill('[data-testid=field-label-en]', 'Modem plan')
    admin.fill('[data-testid=field-label-es]', 'Plan del módem')
    _option(admin, 0, 'fiber', 'Fiber', 'Fibra')
    admin.click('[data-testid=field-add-option]')
    _option(admin, 1, 'dsl', 'DSL', 'DSL')
    admin.select_option('[data-testid=field-required]', 'before_resolve')
    admin.click('[data-testid=field-save]')
    expect(admin.locator('[data-testid=error-name]')).to_contain_text('lowercase letters')
    admin.fill('[data-testid=field-name]', 'modem_plan')
    admin.click('[data-testid=field-save]')
    expect(admin.locator('.toast', has_text='Field "Modem plan" saved.')).to_have_count(1)
    row = admin.locator('[data-testid=field-row]', has_text='modem_plan')
    expect(row).to_contain_text('List of options')
    expect(row).to_contain_text('Fiber, DSL')
    expect(row).to_contain_text('Required before resolving')

    admin.click('[data-testid=field-add-option]')  # the editor stays open on the saved field
    _option(admin, 2, 'coax', 'Coaxial cable', 'Cable coaxial')
    expect(admin.locator('[data-testid=option-row]').nth(0).locator('[data-testid=option-value]')).to_have_attribute(
        'readonly', '')  # what tickets hold never changes
    admin.click('[data-testid=field-save]')
    expect(row).to_contain_text('Fiber, DSL, Coaxial cable')
    screenshot(admin, 'client-settings-en.png')
    [field] = server.api('GET', '/clients/acme/fields', admin_token).json()
    assert [(o['value'], o['label_es']) for o in field['options']] == [('fiber', 'Fibra'), ('dsl', 'DSL'),
                                                                       ('coax', 'Cable coaxial')]
    assert field['required'] == 'before_resolve'

    ticket = server.post_ticket(server.seed['client'], channel='email', subject='Sin internet en el estudio',
                                language='es', body='No tengo internet.', customer={'name': 'Paz Soto', 'email': 'paz@example.com'})
    agent = open_page('agent')  # Lucía works in Spanish
    agent.locator('body').press('/')
    agent.locator('[data-testid=search-box]').fill('Sin internet en el estudio')
    expect(agent.locator('[data-testid=search-results] .search-hit')).to_have_count(1)
    agent.keyboard.press('Enter')
    plan = agent.locator('[data-testid=fields-panel]')
    expect(plan).to_contain_text('Plan del módem')
    expect(plan.locator('select option', has_text='Cable coaxial')).to_have_count(1)

    admin.select_option('[data-testid=locale-switch]', 'es')
    expect(admin.locator('h2#clients-title')).to_have_text('Configuración de clientes')
    row = admin.locator('[data-testid=field-row]', has_text='modem_plan')
    expect(row).to_contain_text('Plan del módem')
    expect(row).to_contain_text('Lista de opciones')
    expect(row).to_contain_text('Fibra, DSL, Cable coaxial')
    expect(row).to_contain_text('Obligatorio antes de resolver')
    expect(admin.locator('[data-testid=csat-delay]')).to_have_value('15')
    row.locator('[data-testid=field-edit]').click()
    expect(admin.locator('[data-testid=field-name]')).to_be_disabled()
    admin.click('[data-testid=field-active]')
    expect(admin.locator('.toast', has_text='Campo «Plan del módem» desactivado')).to_have_count(1)
    expect(row.locator('[data-testid=field-inactive]')).to_have_text('Desactivado')
    expect(admin.locator('[data-testid=field-active]')).to_have_text('Volver a activar')
    screenshot(admin, 'client-settings-es.png')
    admin.set_viewport_size({'width': 390, 'height': 844})  # a phone: nothing wider than the screen
    assert admin.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), admin.evaluate(
        '[...document.querySelectorAll("body *")].filter((n) => n.getBoundingClientRect().right > innerWidth + 1)'
        '.slice(0, 8).map((n) => n.tagName + "#" + n.id + "." + n.className + ":" + n.getBoundingClientRect().right)')
    admin.locator('[data-testid=field-editor]').scroll_into_view_if_needed()
    screenshot(admin, 'client-settings-phone-es.png')
    admin.set_viewport_size({'width': 1440, 'height': 900})
    assert server.api('GET', '/clients/acme/fields', server.seed['agent']['token']).json() == []

    boss = open_page('supervisor', '/console/clients')
    expect(boss.locator('#live-status')).to_have_class('live-status connected')
    expect(boss.locator('[data-testid=settings-read-only]')).to_be_visible()
    expect(boss.locator('[data-testid=csat-save]')).to_be_hidden()
    expect(boss.locator('[data-testid=field-new]')).to_be_hidden()
    expect(boss.locator('[data-testid=csat-enabled]')).to_be_checked()
    expect(boss.locator('[data-testid=csat-enabled]')).to_be_disabled()
    screenshot(boss, 'client-settings-supervisor-en.png')
    server.api('PATCH', '/auth/me', admin_token, json={'locale': 'en'})
    assert [e for e in admin.errors if '422 (UNPROCESSABLE ENTITY)' not in e] == []  # the refused saves' 422s
    assert agent.errors == [] and boss.errors == []

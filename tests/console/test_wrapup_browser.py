"""Wrap-up in Chromium: after resolving, the agent sees the timer, picks a disposition code from the client's
two-level list in their language and ends the wrap-up, or the timer ends it; the dashboard shows "Wrap-up"."""
from playwright.sync_api import expect

from .conftest import screenshot

WRAPUP = 25  # seconds: long enough to look at, short enough to watch the timer end one


def _client_with_codes(server) -> dict:
    """A client with wrap-up and a disposition tree, made through the admin API."""
    admin = server.seed['admin']['token']
    made = server.api('POST', '/clients', admin, json={'name': 'Globex Fibra', 'slug': 'globex',
                                                      'default_language': 'es', 'wrapup_seconds': WRAPUP})
    assert made.status_code == 201, made.text
    url = '/clients/globex/dispositions'

    def code(**body):
        response = server.api('POST', url, admin, json=body)
        assert response.status_code == 201, response.text
        return response.json()
    billing = code(code='billing', label_en='Billing', label_es='Facturación')
    code(code='refund', label_en='Refund', label_es='Reembolso', parent_id=billing['id'])
    code(code='plan_change', label_en='Plan change', label_es='Cambio de plan', parent_id=billing['id'], position=1)
    code(code='outage', label_en='Outage', label_es='Corte de servicio', position=1)
    body = made.json()
    return {'id': body['id'], 'slug': 'globex', 'key_id': body['key_id'], 'secret': body['secret']}


def _resolve_in_console(agent, subject: str) -> None:
    agent.locator('[data-testid=ticket-item]', has_text=subject).click()
    expect(agent.locator('#t-title')).to_contain_text(subject)
    agent.fill('[data-testid=reply-body]', 'Listo, quedó resuelto.')
    agent.select_option('[data-testid=after-status]', 'resolved')
    agent.click('[data-testid=send]')


def test_wrap_up_timer_and_disposition_in_spanish_and_english(open_page, server):
    creds = _client_with_codes(server)
    agent = open_page('agent')
    agent.select_option('#presence', 'available')
    expect(agent.locator('body')).to_have_attribute('data-presence', 'available')
    supervisor = open_page('supervisor', '/dashboard')

    server.post_ticket(creds, subject='Cobro doble en la factura', channel='email', language='es',
                       body='Me cobraron dos veces el mes de noviembre.', customer={'name': 'Marta Ruiz',
                                                                                   'email': 'marta@example.com'})
    _resolve_in_console(agent, 'Cobro doble en la factura')
    panel = agent.locator('[data-testid=wrapup-panel]')
    expect(panel).to_be_visible(timeout=5000)
    expect(panel.locator('h2')).to_have_text('Cierre de contacto')
    expect(panel.locator('[data-testid=wrapup-countdown]')).to_contain_text('quedan')
    select = panel.locator('[data-testid=wrapup-disposition]')
    expect(select.locator('optgroup[label="Facturación"] option')).to_have_text(['Reembolso', 'Cambio de plan'])
    expect(select.locator('option', has_text='Corte de servicio')).to_have_count(1)
    agent_row = supervisor.locator(f'[data-testid=agent-row][data-agent-id="{server.seed["agent"]["id"]}"]')
    expect(agent_row.locator('[data-testid=wrap-up]')).to_have_text('Wrap-up', timeout=5000)
    select.select_option(label='Reembolso')
    screenshot(agent, 'wrapup-console-es.png')
    screenshot(supervisor, 'wrapup-dashboard-en.png')

    panel.locator('[data-testid=wrapup-end]').click()
    expect(panel).to_be_hidden(timeout=5000)
    expect(agent.locator('.toast', has_text='terminó')).to_have_count(1)
    expect(agent_row.locator('[data-testid=wrap-up]')).to_have_count(0, timeout=5000)
    expect(agent.locator('[data-testid=disposition]')).to_have_value(str(_code_id(server, 'refund')))
    expect(agent.locator('#history')).to_contain_text('Tipificación cambiada: — → refund')

    # English, and this time the timer ends the wrap-up
    agent.select_option('[data-testid=locale-switch]', 'en')
    expect(agent.locator('h2#tickets-title')).to_have_text('My tickets')
    agent.select_option('#presence', 'available')
    server.post_ticket(creds, subject='Internet down since the storm', channel='email', language='en',
                       body='No connection at all since last night.', customer={'name': 'Tom Baker',
                                                                               'email': 'tom@example.com'})
    _resolve_in_console(agent, 'Internet down since the storm')
    expect(panel).to_be_visible(timeout=5000)
    expect(panel.locator('h2')).to_have_text('Wrap-up')
    expect(panel.locator('[data-testid=wrapup-countdown]')).to_contain_text('s left')
    expect(select.locator('optgroup[label="Billing"] option')).to_have_text(['Refund', 'Plan change'])
    select.select_option(label='Outage')
    screenshot(agent, 'wrapup-console-en.png')
    expect(panel).to_be_hidden(timeout=(WRAPUP + 70) * 1000)  # the timer job (or the minute sweep)
    expect(agent_row.locator('[data-testid=wrap-up]')).to_have_count(0, timeout=5000)
    server.api('PATCH', '/auth/me', server.seed['agent']['token'], json={'locale': 'es'})
    assert agent.errors == [] and supervisor.errors == []


def _code_id(server, code: str) -> int:
    tree = server.api('GET', '/clients/globex/dispositions', server.seed['admin']['token']).json()
    return next(child['id'] for node in tree for child in [node, *node['children']] if child['code'] == code)

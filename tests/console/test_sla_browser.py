"""SLA in Chromium: the nearest clock counts down in the agent's language, turns "at risk" then "breached"
(words and colour), the breach arrives live, and the dashboard lists it with each queue's service level."""
import re

from playwright.sync_api import expect

from .conftest import screenshot

PHONE = {'width': 390, 'height': 844}
LAPTOP = {'width': 1366, 'height': 768}
TARGET = 20  # seconds of first response: short, so the test watches the clock go round


def _policy(server):
    """A first-response policy for the product this test alone uses."""
    creds, boss = server.seed['client'], server.seed['supervisor']['token']
    known = server.post_ticket(creds, subject='Catálogo', body='Producto de prueba para el SLA del navegador.',
                               channel='email', language='es', product='sla-browser', customer={'email': 'x@example.com'})
    for status in ('open', 'resolved'):  # it only makes the product known to the client
        server.api('PATCH', f"/tickets/{known['id']}", boss, json={'status': status})
    response = server.api('POST', f"/clients/{creds['slug']}/sla-policies", boss, json={
        'name': 'Navegador', 'conditions': {'product': ['sla-browser']}, 'warning_percent': 50,
        'targets': {'first_response': TARGET, 'resolution': 3600}})
    assert response.status_code == 201, response.text


def test_the_nearest_clock_counts_down_and_breaches_live(open_page, server):
    agent = open_page('agent')
    agent.select_option('#presence', 'available')
    expect(agent.locator('body')).to_have_attribute('data-presence', 'available')
    _policy(server)
    supervisor = open_page('supervisor', '/dashboard')
    ticket = server.post_ticket(server.seed['client'], subject='El módem no sincroniza', channel='email',
                                language='es', product='sla-browser',
                                body='Buenas tardes, el módem no sincroniza desde la mañana.',
                                customer={'name': 'Rosa Díaz', 'email': 'rosa@example.com'})
    item = agent.locator('[data-testid=ticket-item]', has_text='El módem no sincroniza')
    expect(item.locator('[data-testid=sla-chip]')).to_contain_text('Vence en', timeout=5000)
    item.click()
    chip = agent.locator('#t-meta [data-testid=sla-chip]')
    expect(chip).to_contain_text('Primera respuesta: vence en')
    expect(chip).to_have_attribute('data-sla-state', 'ok')
    expect(agent.locator('[data-testid=sla-clock]')).to_have_count(2)
    expect(agent.locator('[data-testid=sla-panel]')).to_contain_text('Resolución')
    screenshot(agent, 'sla-console-es-running.png')

    expect(chip).to_have_attribute('data-sla-state', 'risk', timeout=TARGET * 1000)
    expect(chip).to_contain_text('En riesgo: Primera respuesta vence en')
    expect(agent.locator('.toast', has_text='SLA en riesgo')).to_be_visible(timeout=5000)  # the live warning
    screenshot(agent, 'sla-console-es-at-risk.png')
    risk = supervisor.locator('[data-testid=risk-ticket]', has_text='El módem no sincroniza')
    expect(risk).to_contain_text('At risk', timeout=5000)

    expect(chip).to_have_attribute('data-sla-state', 'breached', timeout=TARGET * 1000)
    expect(chip).to_contain_text('Incumplido: Primera respuesta vencido hace')
    expect(chip).to_contain_text(re.compile(r'vencido hace \d+\s?s'))
    expect(agent.locator('.toast', has_text=f"SLA incumplido en el ticket #{ticket['number']}")).to_be_visible(
        timeout=5000)
    expect(agent.locator('[data-testid=sla-clock]', has_text='Primera respuesta')).to_contain_text('Incumplido')
    screenshot(agent, 'sla-console-es-breached.png')
    expect(risk).to_contain_text('Breached', timeout=5000)
    expect(supervisor.locator('[data-testid=feed-item]', has_text=f"SLA breached on ticket #{ticket['number']}")
           .first).to_be_visible(timeout=5000)
    row = supervisor.locator('[data-testid=queue-row]', has_text='Acme Cable · Spanish · email')
    expect(row.locator('[data-testid=sla-risk]')).to_contain_text('/ 1', timeout=5000)
    expect(row.locator('[data-testid=service-level]')).to_contain_text('0 % (0 of 1)')
    expect(row.locator('[data-testid=service-level]')).to_contain_text('below goal')
    supervisor.set_viewport_size(LAPTOP)
    screenshot(supervisor, 'sla-dashboard-en-1366.png')
    supervisor.set_viewport_size(PHONE)
    screenshot(supervisor, 'sla-dashboard-en-phone.png')

    agent.fill('[data-testid=reply-body]', 'Hola Rosa, ya revisamos la señal.')
    agent.click('[data-testid=send]')
    expect(agent.locator('[data-testid=sla-clock]', has_text='Primera respuesta')).to_contain_text('Incumplido')
    expect(chip).to_contain_text('Resolución: vence en')  # the nearest running clock is now the resolution
    agent.set_viewport_size(PHONE)
    screenshot(agent, 'sla-console-es-phone.png')
    agent.select_option('[data-testid=locale-switch]', 'en')
    expect(agent.locator('h2#tickets-title')).to_have_text('My tickets')
    agent.locator('[data-testid=ticket-item]', has_text='El módem no sincroniza').click()
    expect(agent.locator('#t-meta [data-testid=sla-chip]')).to_contain_text('Resolution due in')
    expect(agent.locator('[data-testid=sla-clock]', has_text='First response')).to_contain_text('Breached')
    agent.set_viewport_size(LAPTOP)
    screenshot(agent, 'sla-console-en-1366.png')
    server.api('PATCH', '/auth/me', server.seed['agent']['token'], json={'locale': 'es'})
    for status in ('resolved',):
        server.api('PATCH', f"/tickets/{ticket['id']}", server.seed['agent']['token'], json={'status': status})
    assert agent.errors == [] and supervisor.errors == []

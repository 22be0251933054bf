"""End to end in headless Chromium: the agent console and the supervisor dashboard against a real server."""
import time

from playwright.sync_api import expect

from .conftest import screenshot

SPANISH_TICKET = {'subject': 'Sin internet desde ayer', 'channel': 'chat', 'language': 'es',
                  'body': 'Hola, desde ayer no tengo internet y el módem parpadea en rojo. ¿Me ayudan?',
                  'customer': {'name': 'María López', 'email': 'maria@example.com'}}


def _available(page):
    page.select_option('#presence', 'available')
    expect(page.locator('body')).to_have_attribute('data-presence', 'available')


def _queue_row(page, name_part):
    return page.locator('[data-testid=queue-row]', has_text=name_part)


def test_offer_accept_reply_in_spanish_and_resolve(open_page, server):
    supervisor = open_page('supervisor')
    agent = open_page('agent')
    _available(agent)

    started = time.monotonic()
    ticket = server.post_ticket(server.seed['client'], **SPANISH_TICKET)
    offer = agent.locator(f'[data-testid=offer]:has-text("{SPANISH_TICKET["subject"]}")')
    expect(offer).to_be_visible(timeout=1000)
    expect(offer).to_contain_text('María López')
    expect(offer).to_contain_text('Chat')
    expect(offer).to_contain_text('Español')
    expect(offer.locator('[data-testid=countdown]')).to_contain_text('s')
    row = _queue_row(supervisor, 'Acme Cable · Spanish')
    expect(row.locator('[data-testid=offers-in-flight]')).to_have_text('1', timeout=1000)
    expect(supervisor.locator('[data-testid=feed-item]', has_text=f'#{ticket["number"]}').first).to_be_visible(
        timeout=1000)
    print(f'offer and queue visible {time.monotonic() - started:.2f}s after intake')
    screenshot(agent, 'console-offer-es.png')

    offer.locator('[data-testid=accept]').click()
    view = agent.locator('[data-testid=ticket-view]')
    expect(view).to_contain_text(SPANISH_TICKET['subject'])
    expect(agent.locator('[data-testid=message-body]').first).to_have_text(SPANISH_TICKET['body'])
    expect(agent.locator('[data-testid=offer]')).to_have_count(0)
    expect(row.locator('[data-testid=offers-in-flight]')).to_have_text('0')
    agent_row = supervisor.locator(f'[data-testid=agent-row][data-agent-id="{server.seed["agent"]["id"]}"]')
    expect(agent_row).to_contain_text(SPANISH_TICKET['subject'])

    agent.select_option('[data-testid=macro]', label='Saludo y cierre')
    expect(agent.locator('[data-testid=reply-body]')).to_have_value(
        'Hola María López, soy Lucía Hernández. Ya reiniciamos su módem; el servicio quedó restablecido.')
    screenshot(agent, 'console-ticket-es.png')
    agent.select_option('[data-testid=after-status]', 'resolved')
    agent.click('[data-testid=send]')
    expect(agent.locator('[data-testid=status-badge]')).to_have_text('Resuelto')
    expect(agent.locator('.msg.kind-outbound [data-testid=message-body]')).to_contain_text('Ya reiniciamos su módem')
    expect(agent_row).not_to_contain_text(SPANISH_TICKET['subject'])
    expect(agent_row).to_contain_text('Chat 0/')
    screenshot(supervisor, 'dashboard-en.png')

    detail = server.api('GET', f'/tickets/{ticket["id"]}', server.seed['agent']['token']).json()
    assert detail['status'] == 'resolved'
    assert [m['kind'] for m in detail['messages']] == ['inbound', 'outbound']
    assert detail['messages'][1]['language'] == 'es'
    assert agent.errors == [] and supervisor.errors == []


def _take(agent, server, **body):
    """Post a ticket through intake and accept its offer in the console; returns the ticket."""
    ticket = server.post_ticket(server.seed['client'], **body)
    offer = agent.locator(f'[data-testid=offer]:has-text("{body["subject"]}")')
    offer.locator('[data-testid=accept]').click()
    expect(agent.locator('[data-testid=ticket-view]')).to_contain_text(body['subject'])
    return ticket


def _resolve(server, ticket) -> None:
    """Free the agent's capacity for the next test."""
    token = server.seed['agent']['token']
    for status in ('open', 'resolved'):
        server.api('PATCH', f'/tickets/{ticket["id"]}', token, json={'status': status})
    assert server.api('GET', f'/tickets/{ticket["id"]}', token).json()['status'] == 'resolved'


def test_language_switch_in_console_and_dashboard(open_page, server):
    agent = open_page('agent')
    supervisor = open_page('supervisor')
    _available(agent)
    taken = _take(agent, server, subject='Router keeps rebooting', channel='chat', language='en',
          body='My router reboots every ten minutes since the last firmware update.',
          customer={'name': 'John Miller', 'email': 'john@example.com'})
    agent.select_option('[data-testid=priority]', 'high')
    expect(agent.locator('#t-meta')).to_contain_text('Alta')
    agent.check('input[name=kind][value=note]')
    agent.fill('[data-testid=reply-body]', 'Customer already power-cycled it twice.')
    agent.keyboard.press('Control+Enter')
    expect(agent.locator('.msg.kind-note')).to_contain_text('power-cycled')
    expect(agent.locator('h2#tickets-title')).to_have_text('Mis tickets')
    screenshot(agent, 'console-es.png')

    agent.select_option('[data-testid=locale-switch]', 'en')
    expect(agent.locator('h2#tickets-title')).to_have_text('My tickets')
    expect(agent.locator('html')).to_have_attribute('lang', 'en')
    agent.locator('[data-testid=ticket-item]', has_text='Router keeps rebooting').click()
    expect(agent.locator('[data-testid=status-badge]')).to_have_text('New')
    expect(agent.locator('#history')).to_contain_text('Priority changed: Normal → High')
    screenshot(agent, 'console-en.png')

    expect(supervisor.locator('h2#queues-title')).to_have_text('Queues')
    supervisor.select_option('[data-testid=locale-switch]', 'es')
    expect(supervisor.locator('h2#queues-title')).to_have_text('Colas')
    expect(supervisor.locator('[data-testid=agent-row]').first).to_contain_text('Disponible')
    supervisor.wait_for_timeout(300)
    screenshot(supervisor, 'dashboard-es.png')
    agent.select_option('[data-testid=transfer-target]', f'agent:{server.seed["supervisor"]["id"]}')
    agent.click('[data-testid=transfer]')
    expect(agent.locator('.toast', has_text=f'Ticket #{taken["number"]} transferred.')).to_have_count(1)
    expect(agent.locator('[data-testid=ticket-item]', has_text='Router keeps rebooting')).to_have_count(0)
    expect(agent.locator('[data-testid=ticket-view]')).to_be_hidden()
    detail = server.api('GET', f'/tickets/{taken["id"]}', server.seed['supervisor']['token']).json()
    assert detail['assignee']['id'] == server.seed['supervisor']['id']
    _resolve(server, taken)
    for role in ('agent', 'supervisor'):  # back to the seeded preferences for the other tests
        server.api('PATCH', '/auth/me', server.seed[role]['token'], json={'locale': 'es' if role == 'agent' else 'en'})
    assert agent.errors == [] and supervisor.errors == []


def test_an_unanswered_offer_expires_and_disappears(open_page, server):
    supervisor = open_page('supervisor')
    agent = open_page('agent')
    _available(agent)
    subject = 'SMS sin respuesta'
    ticket = server.post_ticket(server.seed['client'], subject=subject, channel='sms', language='es',
                                body='Hola, ¿siguen ahí? Necesito ayuda con mi factura.',
                                customer={'name': 'Pedro Ruiz', 'phone': '+52 55 1234 5678'})
    offer = agent.locator(f'[data-testid=offer]:has-text("{subject}")')
    expect(offer).to_be_visible(timeout=1000)
    expect(offer).to_have_count(0, timeout=6000)  # the SMS offer timeout is 3 s in these tests
    expect(agent.locator('.toast', has_text=f'La oferta del ticket #{ticket["number"]} caducó')).to_have_count(1)
    started = time.monotonic()
    expect(supervisor.locator('[data-testid=feed-item][data-event="offer.expired"]',
                              has_text=f'#{ticket["number"]}')).to_have_count(1, timeout=15000)
    print(f'offer.expired reached the dashboard {time.monotonic() - started:.2f}s after the console dropped it')
    pending = server.api('GET', '/routing/offers', server.seed['agent']['token']).json()
    assert all(o['ticket']['id'] != ticket['id'] for o in pending)
    # Missing an offer sets the agent away, so the ticket waits in its queue; the wait ticks.
    expect(agent.locator('#presence')).to_have_value('away')
    expect(supervisor.locator(f'[data-testid=agent-row][data-agent-id="{server.seed["agent"]["id"]}"] '
                              '[data-testid=away-reason]')).to_have_text('Missed an offer')
    row = _queue_row(supervisor, 'Acme Cable · Spanish · messaging')
    expect(row.locator('[data-testid=waiting]')).to_have_text('1')
    first = row.locator('[data-testid=oldest-wait]').inner_text()
    expect(row.locator('[data-testid=oldest-wait]')).not_to_have_text(first, timeout=3000)
    screenshot(supervisor, 'dashboard-waiting-en.png')
    _resolve(server, ticket)
    expect(row.locator('[data-testid=waiting]')).to_have_text('0')
    assert agent.errors == [] and supervisor.errors == []


def test_pages_recover_after_the_server_restarts(open_page, server):
    supervisor = open_page('supervisor')
    agent = open_page('agent')
    _available(agent)
    rows_before = supervisor.locator('[data-testid=queue-row]').count()
    server.stop()
    expect(agent.locator('#live-status')).to_have_class('live-status disconnected', timeout=10000)
    expect(supervisor.locator('#live-status')).to_have_class('live-status disconnected', timeout=10000)
    server.start()
    subject = 'Chat tras el reinicio'
    ticket = server.post_ticket(server.seed['client'], subject=subject, channel='chat', language='es',
                                body='Se cayó la página mientras escribía, ¿me atienden?',
                                customer={'name': 'Ana Torres', 'email': 'ana@example.com'})
    expect(agent.locator('#live-status')).to_have_class('live-status connected', timeout=15000)
    expect(supervisor.locator('#live-status')).to_have_class('live-status connected', timeout=15000)
    expect(agent.locator(f'[data-testid=offer]:has-text("{subject}")')).to_have_count(1, timeout=10000)
    row = _queue_row(supervisor, 'Acme Cable · Spanish · messaging')
    expect(row.locator('[data-testid=offers-in-flight]')).to_have_text('1', timeout=10000)
    assert supervisor.locator('[data-testid=queue-row]').count() == max(rows_before, 1)
    agent.locator(f'[data-testid=offer]:has-text("{subject}") [data-testid=accept]').click()
    expect(row.locator('[data-testid=offers-in-flight]')).to_have_text('0')
    accepted = supervisor.locator('[data-testid=feed-item][data-event="offer.accepted"]',
                                  has_text=f'#{ticket["number"]}')
    expect(accepted).to_have_count(1)
    supervisor.wait_for_timeout(300)
    expect(accepted).to_have_count(1)  # once, though the page reconnected
    _resolve(server, ticket)
    for page in (agent, supervisor):  # only requests cut or refused while the server was down
        assert [e for e in page.errors if 'Failed to load resource: net::' not in e] == []


def test_markup_in_messages_is_shown_as_text(open_page, server):
    supervisor = open_page('supervisor')
    agent = open_page('agent')
    _available(agent)
    subject = '<img src=x onerror="window.__xss=1">Factura'
    body = '<script>window.__xss=2</script><b>negritas</b> & <a href="javascript:alert(1)">clic</a>'
    ticket = server.post_ticket(server.seed['client'], subject=subject, channel='whatsapp', language='es', body=body,
                       customer={'name': '<i>Eva</i>', 'email': 'eva@example.com'})
    offer = agent.locator('[data-testid=offer]', has_text='Factura')
    expect(offer).to_contain_text(subject)
    offer.locator('[data-testid=accept]').click()  # this offer (an earlier test's may be first; keys: test_shortcuts_browser)
    expect(agent.locator('[data-testid=ticket-view]')).to_contain_text(subject)
    expect(agent.locator('[data-testid=message-body]').first).to_have_text(body)
    expect(agent.locator('#customer')).to_contain_text('<i>Eva</i>')
    expect(supervisor.locator('[data-testid=feed-item]', has_text=subject).first).to_be_visible()
    for page in (agent, supervisor):
        assert page.evaluate('window.__xss') is None
        assert page.locator('main script, main img, main b, main i, main a[href^=javascript]').count() == 0
    screenshot(agent, 'console-xss-es.png')
    _resolve(server, ticket)
    assert agent.errors == [] and supervisor.errors == []


def test_supervisor_changes_an_agent_and_reassigns_a_ticket(open_page, server):
    supervisor = open_page('supervisor')
    agent = open_page('agent')
    _available(agent)
    ticket = _take(agent, server, subject='Cambio de plan', channel='whatsapp', language='es',
                   body='Quiero cambiar mi plan de internet a uno más rápido, por favor.',
                   customer={'name': 'Luis Pérez', 'phone': '+52 55 8765 4321'})
    agent_id = server.seed['agent']['id']
    row = supervisor.locator(f'[data-testid=agent-row][data-agent-id="{agent_id}"]')
    expect(row).to_contain_text('Cambio de plan')

    row.locator('[data-testid=capacity-whatsapp]').fill('5')
    row.locator('[data-testid=capacity-whatsapp]').press('Tab')
    expect(supervisor.locator('.toast', has_text='Capacity of Lucía Hernández saved.')).to_have_count(1)
    agents = server.api('GET', '/routing/agents', server.seed['supervisor']['token']).json()
    assert next(a for a in agents if a['id'] == agent_id)['capacities']['whatsapp'] == 5

    row.locator('li', has_text='Cambio de plan').locator('[data-testid=reassign]').select_option(
        label='Sergio Supervisor')
    expect(agent.locator('[data-testid=ticket-item]', has_text='Cambio de plan')).to_have_count(0)
    expect(agent.locator('[data-testid=ticket-view]')).to_be_hidden()
    sergio = supervisor.locator(f'[data-testid=agent-row][data-agent-id="{server.seed["supervisor"]["id"]}"]')
    expect(sergio).to_contain_text('Cambio de plan')
    assert server.api('GET', f'/tickets/{ticket["id"]}', server.seed['agent']['token']).json()['assignee']['id'] == \
        server.seed['supervisor']['id']

    supervisor.locator(f'[data-testid=agent-row][data-agent-id="{agent_id}"] [data-testid=agent-presence]') \
        .select_option('away')
    expect(agent.locator('body')).to_have_attribute('data-presence', 'away')
    expect(agent.locator('#presence')).to_have_value('away')

    waiting = server.post_ticket(server.seed['client'], subject='Factura duplicada', channel='whatsapp',
                                 language='es', body='Me cobraron dos veces la factura de este mes.',
                                 customer={'name': 'Rosa Díaz', 'phone': '+52 55 1111 2222'})
    response = server.api('POST', f'/tickets/{waiting["id"]}/reassign', server.seed['supervisor']['token'],
                          json={'agent_id': agent_id})
    assert response.status_code == 200, response.text
    item = agent.locator('[data-testid=ticket-item]', has_text='Factura duplicada')
    expect(item.locator('[data-testid=unread]')).to_have_count(1)  # never opened: unread
    item.click()
    expect(item.locator('[data-testid=unread]')).to_have_count(0)
    for done in (ticket, waiting):
        _resolve(server, done)
    assert agent.errors == [] and supervisor.errors == []

"""In headless Chromium: the console's keyboard shortcuts (accept, reply, note, macro, resolve, next ticket), their
help overlay in both languages, and that single keys do nothing while the agent types."""
from playwright.sync_api import expect

from .conftest import screenshot

TICKETS = [{'subject': 'Teclado: router sin señal', 'channel': 'chat', 'language': 'es',
            'body': 'El router no tiene señal desde la mañana.', 'customer': {'name': 'Nora Gil', 'email': 'nora@example.com'}},
           {'subject': 'Teclado: factura doble', 'channel': 'chat', 'language': 'es',
            'body': 'Me cobraron dos veces este mes.', 'customer': {'name': 'Omar Paz', 'email': 'omar@example.com'}}]


def _resolve(server, ticket):
    for status in ('open', 'resolved'):
        server.api('PATCH', f'/tickets/{ticket["id"]}', server.seed['agent']['token'], json={'status': status})


def _help(page, title, accept_text):
    page.locator('body').press('?')
    dialog = page.locator('[data-testid=shortcuts-help]')
    expect(dialog).to_be_visible()
    expect(dialog.locator('h2')).to_have_text(title)
    expect(dialog).to_contain_text(accept_text)
    return dialog


def test_shortcuts_and_their_help(open_page, server):
    agent = open_page('agent')  # Lucía works in Spanish
    agent.select_option('#presence', 'available')
    expect(agent.locator('body')).to_have_attribute('data-presence', 'available')
    dialog = _help(agent, 'Atajos de teclado', 'Aceptar la oferta que caduca primero')
    expect(dialog).to_contain_text('Resolver el ticket abierto')
    screenshot(agent, 'shortcuts-help-es.png')
    agent.keyboard.press('Escape')
    expect(dialog).to_be_hidden()

    first = server.post_ticket(server.seed['client'], **TICKETS[0])
    offer = agent.locator('[data-testid=offer]', has_text=TICKETS[0]['subject'])
    expect(offer).to_be_visible()
    agent.locator('[data-testid=search-box]').click()
    agent.keyboard.type('a')  # typing: nothing is accepted
    agent.wait_for_timeout(300)
    expect(offer).to_be_visible()
    agent.keyboard.press('Escape')
    agent.locator('body').press('a')
    view = agent.locator('[data-testid=ticket-view]')
    expect(view).to_contain_text(TICKETS[0]['subject'])
    expect(offer).to_have_count(0)

    agent.locator('body').press('n')
    body = agent.locator('[data-testid=reply-body]')
    expect(body).to_be_focused()
    expect(agent.locator('input[name=kind][value=note]')).to_be_checked()
    agent.keyboard.type('nota: revisar el router')  # "r", "e", "n" typed here change nothing
    expect(agent.locator('input[name=kind][value=note]')).to_be_checked()
    expect(agent.locator('[data-testid=status-badge]')).to_have_text('Nuevo')
    body.press('Control+Enter')
    expect(agent.locator('.msg.kind-note')).to_contain_text('revisar el router')
    body.press('Escape')
    expect(body).not_to_be_focused()
    agent.locator('body').press('r')
    expect(agent.locator('input[name=kind][value=reply]')).to_be_checked()
    expect(body).to_be_focused()
    body.press('Escape')
    agent.locator('body').press('m')
    picker = agent.locator('#macro, #canned').first
    expect(picker).to_be_focused()

    second = server.post_ticket(server.seed['client'], **TICKETS[1])
    agent.locator('[data-testid=offer]', has_text=TICKETS[1]['subject']).locator('[data-testid=accept]').click()
    expect(view).to_contain_text(TICKETS[1]['subject'])
    agent.locator('[data-testid=ticket-view] h2').click()  # out of any field
    agent.locator('body').press('e')
    expect(agent.locator('[data-testid=status-badge]')).to_have_text('Resuelto')
    expect(agent.locator('.toast', has_text=f'Ticket #{second["number"]} resuelto.')).to_have_count(1)
    expect(agent.locator(f'[data-testid=resolved-tickets] [data-ticket-id="{second["id"]}"]')).to_have_count(1)
    order = agent.eval_on_selector_all('[data-testid=ticket-item]', '(items) => items.map((i) => i.dataset.ticketId)')
    before = order[order.index(str(second['id'])) - 1]  # the active ones come before the resolved ones
    assert order.index(str(first['id'])) < order.index(str(second['id']))
    agent.locator('body').press('k')
    expect(view).to_have_attribute('data-ticket-id', before)
    agent.locator('body').press('j')
    expect(view).to_have_attribute('data-ticket-id', str(second['id']))

    agent.select_option('[data-testid=locale-switch]', 'en')
    expect(agent.locator('h2#tickets-title')).to_have_text('My tickets')
    dialog = _help(agent, 'Keyboard shortcuts', 'Accept the offer that expires first')
    expect(dialog).to_contain_text('Single keys do nothing while you type in a field.')
    screenshot(agent, 'shortcuts-help-en.png')
    dialog.locator('[data-testid=shortcuts-close]').click()
    expect(dialog).to_be_hidden()
    server.api('PATCH', '/auth/me', server.seed['agent']['token'], json={'locale': 'es'})
    for ticket in (first, second):
        _resolve(server, ticket)
    assert agent.errors == []

"""In headless Chromium: two agents with the same ticket open each see a warning naming the other, in their own
language; it goes away when the other one closes the page."""
from playwright.sync_api import expect

from .conftest import screenshot

TICKET = {'subject': 'Decodificador congelado', 'channel': 'email', 'language': 'es',
          'body': 'El decodificador se congela en el canal 5 cada noche.',
          'customer': {'name': 'Tomás Rey', 'email': 'tomas.rey@example.com'}}


def _open_by_search(page, ticket):
    page.locator('body').press('/')
    page.locator('[data-testid=search-box]').fill('decodificador congelado')
    hit = page.locator(f'[data-testid=search-results] .search-hit[data-ticket-id="{ticket["id"]}"]')
    expect(hit).to_have_count(1)
    page.keyboard.press('Enter')
    expect(page.locator('[data-testid=ticket-view]')).to_have_attribute('data-ticket-id', str(ticket['id']))


def test_two_agents_on_one_ticket_are_warned(open_page, server):
    ticket = server.post_ticket(server.seed['client'], **TICKET)
    lucia = open_page('agent', '/console')  # Spanish
    sergio = open_page('supervisor', '/console')  # English
    _open_by_search(lucia, ticket)
    warning = lucia.locator('[data-testid=viewers-warning]')
    expect(warning).to_be_hidden()
    _open_by_search(sergio, ticket)
    expect(warning).to_have_text('También lo tiene abierto Sergio Supervisor: acuerden quién responde antes de contestar.')
    expect(sergio.locator('[data-testid=viewers-warning]')).to_have_text(
        'Also open by Lucía Hernández: agree who answers before you reply.')
    screenshot(lucia, 'viewers-es.png')
    screenshot(sergio, 'viewers-en.png')
    sergio.close()  # the tab goes: the socket disconnects
    expect(warning).to_be_hidden(timeout=10000)
    assert lucia.errors == []
    for status in ('open', 'resolved'):
        server.api('PATCH', f'/tickets/{ticket["id"]}', server.seed['supervisor']['token'], json={'status': status})

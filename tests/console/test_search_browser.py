"""In headless Chromium: the console's search box (with and without accents, in Spanish) and the customer's story."""
from playwright.sync_api import expect

from .conftest import screenshot

CUSTOMER = {'name': 'Rocío Paredes', 'email': 'rocio.paredes@example.com'}
EARLIER = {'subject': 'Línea sin tono', 'channel': 'email', 'language': 'es', 'customer': CUSTOMER,
           'body': 'Buenas tardes, el teléfono fijo no tiene tono desde el lunes y no puedo llamar.'}
LATER = {'subject': 'Internet lento por las noches', 'channel': 'whatsapp', 'language': 'es', 'customer': CUSTOMER,
         'body': 'Ya reinicié el módem dos veces y sigue muy lento.'}


def _search(page, text):
    page.locator('body').press('/')
    box = page.locator('[data-testid=search-box]')
    expect(box).to_be_focused()
    box.fill(text)
    return page.locator('[data-testid=search-results] .search-hit')


def test_search_with_and_without_accents_then_the_customers_story(open_page, server):
    earlier = server.post_ticket(server.seed['client'], **EARLIER)
    later = server.post_ticket(server.seed['client'], **LATER)
    agent = open_page('agent')  # Lucía works in Spanish
    expect(agent.locator('h2#tickets-title')).to_have_text('Mis tickets')

    for typed in ('telefono', 'teléfono', 'TELÉF'):
        hits = _search(agent, typed)
        expect(hits).to_have_count(1)
        expect(hits.first).to_contain_text('Línea sin tono')
        expect(hits.first.locator('mark')).to_have_text(['teléfono'])
        expect(hits.first).to_contain_text('Rocío Paredes · Acme Cable')  # the client's name, never its slug
    screenshot(agent, 'console-search-es.png')
    hits = _search(agent, 'reiniciar modems')
    expect(hits).to_have_count(1)
    expect(hits.first.locator('mark')).to_have_text(['reinicié', 'módem'])
    agent.keyboard.press('Enter')
    view = agent.locator('[data-testid=ticket-view]')
    expect(view).to_contain_text('Internet lento por las noches')
    expect(agent.locator('[data-testid=ticket-client]')).to_have_text('Acme Cable')

    story = agent.locator('[data-testid=story]')
    expect(agent.locator('h2#story-title')).to_have_text('Historial del cliente')
    earlier_entry = story.locator(f'[data-ticket-id="{earlier["id"]}"]').first
    expect(earlier_entry).to_contain_text('Línea sin tono')
    expect(story).to_contain_text('El cliente escribió')
    expect(earlier_entry.locator('[data-testid=story-client]')).to_have_text('Acme Cable')
    screenshot(agent, 'console-story-es.png')
    earlier_entry.locator('.story-open').click()
    expect(view).to_contain_text('Línea sin tono')
    expect(story.locator(f'[data-ticket-id="{later["id"]}"]').first).to_contain_text('Internet lento')

    agent.select_option('[data-testid=locale-switch]', 'en')
    expect(agent.locator('h2#tickets-title')).to_have_text('My tickets')
    hits = _search(agent, 'tone OR telefono')
    expect(hits).to_have_count(1)
    agent.keyboard.press('ArrowDown')
    expect(hits.first).to_have_attribute('aria-selected', 'true')
    screenshot(agent, 'console-search-en.png')
    agent.keyboard.press('Escape')
    expect(agent.locator('[data-testid=search-results]')).to_be_hidden()
    _search(agent, '!!&|(')
    expect(agent.locator('[data-testid=search-results]')).to_contain_text('The search has no words to look for.')
    agent.keyboard.press('Escape')
    expect(_search(agent, 'reiniciar modems')).to_have_count(1)
    agent.keyboard.press('Enter')
    expect(story.locator(f'[data-ticket-id="{earlier["id"]}"]').first).to_contain_text('Línea sin tono')
    expect(agent.locator('h2#story-title')).to_have_text("Customer's story")
    screenshot(agent, 'console-story-en.png')
    server.api('PATCH', '/auth/me', server.seed['agent']['token'], json={'locale': 'es'})
    assert [e for e in agent.errors if '422 (UNPROCESSABLE ENTITY)' not in e] == []  # the soup's 422 is expected

"""In headless Chromium: the console and the dashboard on a phone (390 px) and a laptop (1366×768), in both
languages, without horizontal scrolling; offers stay in view above a long "my tickets"; resolved tickets apart."""
import pytest
from playwright.sync_api import expect

from .conftest import login, screenshot

PHONE = {'width': 390, 'height': 844}
LAPTOP = {'width': 1366, 'height': 768}
VIEWPORTS = {'phone': PHONE, 'laptop': LAPTOP}
NO_SIDEWAYS = 'document.documentElement.scrollWidth <= window.innerWidth'


def _page(browser, server, role, viewport, path):
    context = browser.new_context(viewport=viewport, locale='en-US', timezone_id='UTC', is_mobile=viewport is PHONE,
                                  has_touch=viewport is PHONE)
    page = context.new_page()
    page.errors = []
    page.on('pageerror', lambda exc: page.errors.append(str(exc)))
    page.on('console', lambda msg: msg.type == 'error' and page.errors.append(msg.text))
    login(page, server, server.seed[role]['email'])
    page.goto(server.url + path)
    page.wait_for_selector('#live-status.connected', timeout=10000)
    return page


def _set_locale(server, role, locale):
    response = server.api('PATCH', '/auth/me', server.seed[role]['token'], json={'locale': locale})
    assert response.status_code == 200, response.text


def _busy_agent(server, count):
    """``count`` tickets assigned to the agent (e-mail is assigned directly), a few of them resolved."""
    token, made = server.seed['agent']['token'], []
    _capacity(server, email=count + 3)
    for n in range(count):
        ticket = server.post_ticket(server.seed['client'], subject=f'Modem sin señal número {n}', channel='email',
                                    language='es', body='El módem no enciende la luz de internet desde esta mañana.',
                                    customer={'name': f'Cliente {n}', 'email': f'cliente{n}@example.com'})
        response = server.api('POST', f'/tickets/{ticket["id"]}/reassign', server.seed['supervisor']['token'],
                              json={'agent_id': server.seed['agent']['id']})
        assert response.status_code == 200, response.text
        made.append(ticket)
    for ticket in made[:2]:
        for status in ('open', 'resolved'):
            server.api('PATCH', f'/tickets/{ticket["id"]}', token, json={'status': status})
    return made


def _capacity(server, email):
    response = server.api('PATCH', f"/routing/agents/{server.seed['agent']['id']}", server.seed['supervisor']['token'],
                          json={'capacities': {'chat': 2, 'email': email}})
    assert response.status_code == 200, response.text


def _free(server, tickets):
    token = server.seed['agent']['token']
    for ticket in tickets:
        for status in ('open', 'resolved'):
            server.api('PATCH', f'/tickets/{ticket["id"]}', token, json={'status': status})


@pytest.fixture(scope='module')
def busy(server):
    made = _busy_agent(server, 10)
    yield made
    _free(server, made)
    _capacity(server, email=3)


@pytest.mark.parametrize('locale', ['es', 'en'])
@pytest.mark.parametrize('size', ['phone', 'laptop'])
def test_console_fits_the_screen(browser, server, busy, size, locale):
    _set_locale(server, 'agent', locale)
    page = _page(browser, server, 'agent', VIEWPORTS[size], '/console')
    try:
        items = page.locator('[data-testid=ticket-item]')
        expect(items.first).to_be_visible()
        resolved = page.locator('[data-testid=resolved-tickets] [data-testid=ticket-item]')
        expect(resolved).to_have_count(2)
        assert page.locator('[data-testid=active-tickets] [data-testid=ticket-item]').count() == 8
        items.nth(3).click()
        expect(page.locator('[data-testid=ticket-view]')).to_be_visible()
        assert page.evaluate(NO_SIDEWAYS), page.evaluate('[document.documentElement.scrollWidth, innerWidth]')
        expect(page.locator('[data-testid=transfer-target]')).to_be_visible()
        prompt_fits = page.evaluate("""() => { const s = document.querySelector('#t-transfer');
            const probe = document.createElement('span'); probe.textContent = s.options[0].text;
            probe.style.font = getComputedStyle(s).font; probe.style.position = 'absolute';
            probe.style.whiteSpace = 'nowrap'; document.body.append(probe);
            const need = probe.getBoundingClientRect().width; probe.remove();
            return s.clientWidth >= need; }""")
        assert prompt_fits, 'the transfer select cuts off its prompt'
        page.check('input[name=kind][value=note]')
        placeholder = page.locator('[data-testid=reply-body]').get_attribute('placeholder')
        assert placeholder == ('Escribe una nota interna… (Ctrl+Enter la guarda)' if locale == 'es'
                               else 'Write an internal note… (Ctrl+Enter saves it)')
        page.check('input[name=kind][value=reply]')
        _toasts_keep_clear(page)
        page.locator('[data-testid=ticket-view]').scroll_into_view_if_needed()
        screenshot(page, f'layout-console-{size}-{locale}.png')
        assert page.errors == []
    finally:
        page.context.close()
        _set_locale(server, 'agent', 'es')


def _toasts_keep_clear(page):
    """Five messages in a row: three at most stay, none over the history panel."""
    page.evaluate("""async () => { const {toast} = await import('/console/static/common.js');
        for (let n = 1; n <= 5; n += 1) toast(`Message ${n}`); }""")
    toasts = page.locator('#toasts .toast')
    expect(toasts).to_have_count(3)
    expect(toasts.last).to_have_text('Message 5')
    history = page.locator('#history-panel').bounding_box()
    for n in range(3):
        box = toasts.nth(n).bounding_box()
        apart = (box['x'] + box['width'] <= history['x'] or history['x'] + history['width'] <= box['x']
                 or box['y'] + box['height'] <= history['y'] or history['y'] + history['height'] <= box['y'])
        assert apart, (box, history)


@pytest.mark.parametrize('locale', ['en', 'es'])
@pytest.mark.parametrize('size', ['phone', 'laptop'])
def test_dashboard_fits_the_screen(browser, server, busy, size, locale):
    _set_locale(server, 'supervisor', locale)
    page = _page(browser, server, 'supervisor', VIEWPORTS[size], '/dashboard')
    try:
        row = page.locator(f'[data-testid=agent-row][data-agent-id="{server.seed["agent"]["id"]}"]')
        expect(row).to_contain_text('Modem sin señal')
        assert page.evaluate(NO_SIDEWAYS), page.evaluate('[document.documentElement.scrollWidth, innerWidth]')
        cut = page.evaluate("""() => [...document.querySelectorAll('.agents .table-scroll, .queues .table-scroll')]
            .filter((box) => box.closest('.agents') && box.scrollWidth > box.clientWidth + 1).length""")
        if size == 'laptop':
            assert cut == 0, 'the agents table does not fit at 1366 px'
            inside = page.evaluate("""() => [...document.querySelectorAll('td.current-tickets')].every((cell) =>
                cell.getBoundingClientRect().right <= cell.closest('.panel').getBoundingClientRect().right + 1)""")
            assert inside, 'the current-tickets column runs out of its panel'
        screenshot(page, f'layout-dashboard-{size}-{locale}.png')
        assert page.errors == []
    finally:
        page.context.close()
        _set_locale(server, 'supervisor', 'en')


def test_offers_stay_in_view_over_a_long_list(browser, server, busy):
    page = _page(browser, server, 'agent', LAPTOP, '/console')
    try:
        page.select_option('#presence', 'available')
        expect(page.locator('body')).to_have_attribute('data-presence', 'available')
        page.locator('[data-testid=my-tickets]').evaluate('(list) => list.lastElementChild.scrollIntoView()')
        page.evaluate("""() => { window.__beeps = 0; const Real = window.AudioContext;
            window.AudioContext = class extends Real { createOscillator() { window.__beeps += 1;
              return super.createOscillator(); } }; }""")
        ticket = server.post_ticket(server.seed['client'], subject='Chat con la lista llena', channel='chat',
                                    language='es', body='¿Hay alguien? Mi módem no sincroniza.',
                                    customer={'name': 'Irene Vidal', 'email': 'irene@example.com'})
        offer = page.locator('[data-testid=offer]', has_text='Chat con la lista llena')
        expect(offer).to_be_visible(timeout=3000)
        expect(offer).to_contain_text('Acme Cable')  # the client's name, not its slug
        assert page.evaluate('document.documentElement.scrollHeight <= innerHeight')  # only the columns scroll
        box, viewport = offer.bounding_box(), page.viewport_size
        assert 0 <= box['y'] and box['y'] + box['height'] <= viewport['height'], box
        assert page.evaluate('window.__beeps') >= 1
        screenshot(page, 'layout-offer-pinned-es.png')
        offer.locator('[data-testid=decline]').click()
        expect(offer).to_have_count(0)
        _free(server, [ticket])
        assert page.errors == []
    finally:
        page.context.close()


FAKE_NOTIFICATION = """
window.__notices = [];
window.Notification = class { constructor(title, options) { window.__notices.push([title, options.body]); }
  close() {} static requestPermission() { window.Notification.permission = 'granted';
    localStorage.setItem('__granted', '1'); return Promise.resolve('granted'); } };
window.Notification.permission = localStorage.getItem('__granted') ? 'granted' : 'default';  // the browser remembers
"""


def test_a_new_offer_makes_a_desktop_notification_once_switched_on(browser, server):
    context = browser.new_context(viewport=LAPTOP, locale='es-MX', timezone_id='UTC')
    context.add_init_script(FAKE_NOTIFICATION)
    page = context.new_page()
    try:
        login(page, server, server.seed['agent']['email'])
        page.goto(server.url + '/console')
        page.wait_for_selector('#live-status.connected', timeout=10000)
        page.select_option('#presence', 'available')
        expect(page.locator('body')).to_have_attribute('data-presence', 'available')
        page.locator('[data-testid=offer-notify]').check()
        expect(page.locator('[data-testid=offer-notify]')).to_be_checked()
        ticket = server.post_ticket(server.seed['client'], subject='Aviso de escritorio', channel='chat',
                                    language='es', body='Hola, ¿me ayudan con el módem?',
                                    customer={'name': 'Raúl Soto', 'email': 'raul@example.com'})
        offer = page.locator('[data-testid=offer]', has_text='Aviso de escritorio')
        expect(offer).to_be_visible(timeout=3000)
        notices = page.evaluate('window.__notices')
        assert notices == [[f'Nueva oferta: ticket #{ticket["number"]}', 'Raúl Soto · Aviso de escritorio · Acme Cable']]
        page.reload()  # the choice is remembered
        expect(page.locator('[data-testid=offer-notify]')).to_be_checked()
        page.locator('[data-testid=offer]', has_text='Aviso de escritorio').locator('[data-testid=decline]').click()
        _free(server, [ticket])
    finally:
        context.close()

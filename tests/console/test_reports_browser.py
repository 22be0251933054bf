"""The reports page in Chromium: today's half hours against the same weekday last week, ASA and AHT by
channel and language, occupancy, and the monthly PDF made from the page; in English and Spanish, on a
1366×768 laptop and a 390 px phone, with no horizontal scrolling."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import pytest
import requests
from playwright.sync_api import expect

from .conftest import ARTIFACTS, ROOT, SERVER_ENV, LiveServer, login, screenshot

PHONE = {'width': 390, 'height': 844}
LAPTOP = {'width': 1366, 'height': 768}
CHARTS = ('chart-volume', 'chart-service-level', 'chart-asa', 'chart-aht', 'chart-occupancy')


@pytest.fixture(scope='module')
def server(chromium_path):
    """The console's server over the usual seed plus a day of chats today and on last week's same weekday."""
    tmp = tempfile.mkdtemp(prefix='support-reports-')
    url = 'sqlite:///' + os.path.join(tmp, 'console.sqlite')
    env = {k: v for k, v in os.environ.items() if not k.startswith(('SUPPORT_', 'FLASK_'))}
    env.update({'SUPPORT_DATABASE_URL': url, 'SUPPORT_INSTANCE_PATH': tmp, 'SUPPORT_SECRET_KEY': 'console-tests',
                'SUPPORT_JOBS': 'sqlite', 'PYTHONUNBUFFERED': '1', **SERVER_ENV})
    seeded = subprocess.run([sys.executable, '-m', 'tests.console.seed', url], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=True)
    day = subprocess.run([sys.executable, '-m', 'tests.console.seed_reports', url], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    assert day.returncode == 0, day.stderr[-3000:]
    os.makedirs(ARTIFACTS, exist_ok=True)
    live = LiveServer(env, os.path.join(ARTIFACTS, 'reports-server.log'), log_jobs=True)
    live.seed = json.loads(seeded.stdout.strip().splitlines()[-1])
    live.made = json.loads(day.stdout.strip().splitlines()[-1])
    live.start()
    yield live
    live.close()
    shutil.rmtree(tmp, ignore_errors=True)


def _open(browser, server, email, viewport=LAPTOP):
    context = browser.new_context(viewport=viewport, locale='en-US', timezone_id='America/Mexico_City',
                                  accept_downloads=True)
    page = context.new_page()
    page.errors = []
    page.on('pageerror', lambda exc: page.errors.append(str(exc)))
    page.on('console', lambda msg: msg.type == 'error' and page.errors.append(msg.text))
    login(page, server, email)
    page.goto(server.url + '/reports')
    page.wait_for_selector('body[data-reports-loaded]', state='attached')
    return context, page


FITS = 'document.documentElement.scrollWidth <= document.documentElement.clientWidth'


def _fits(page) -> bool:
    return page.evaluate(FITS)


def _overflowing(page) -> list:
    """What sticks out to the right of the viewport (for the failure message)."""
    return page.evaluate("""() => { const w = document.documentElement.clientWidth; const out = [];
        for (const el of document.querySelectorAll('body *')) { const r = el.getBoundingClientRect();
            if (r.right > w + 1 && r.width > 0) out.push(`${el.tagName}#${el.id}.${el.className} right=${Math.round(r.right)}`); }
        return [w, document.documentElement.scrollWidth, ...out.slice(0, 12)]; }""")


def _fits_after_resize(page) -> bool:
    """Chart.js redraws on resize a moment later (longer on a busy machine): wait up to 5 s for the page to fit.

    Polled from here with ``evaluate`` (a DevTools call the page's CSP allows), not with
    ``wait_for_function``, whose repeated string evaluation the page's CSP refuses
    (microsoft/playwright#7395): that refusal landed in ``page.errors`` as a console error.
    """
    for _ in range(25):
        if _fits(page):
            return True
        page.wait_for_timeout(200)
    return _fits(page)


def _charts_drawn(page):
    for testid in CHARTS:
        canvas = page.locator(f'[data-testid={testid}]')
        expect(canvas).to_be_visible()
        assert int(canvas.get_attribute('data-points')) > 0, testid
        box = canvas.bounding_box()
        assert box['width'] > 200 and box['height'] > 150, (testid, box)
        painted = page.evaluate("""(id) => { const c = document.querySelector(`[data-testid=${id}]`);
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }""", testid)
        assert painted > 500, testid


def test_the_supervisor_reads_today_against_last_week_in_english(browser, server):
    context, page = _open(browser, server, server.seed['supervisor']['email'])
    try:
        expect(page.locator('h2#c-volume-title')).to_have_text('Contacts per half hour')
        expect(page.locator('[data-testid=tile-volume]')).to_have_text(str(server.made['today']))
        expect(page.locator('#tile-volume-prev')).to_have_text(f"last week: {server.made['last_week']}")
        expect(page.locator('[data-testid=report-context]')).to_contain_text('America/Mexico_City')
        _charts_drawn(page)
        assert 'Lucía Hernández' in page.locator('[data-testid=chart-occupancy]').get_attribute('aria-label')
        assert 'Chat English' in page.locator('[data-testid=chart-asa]').get_attribute('aria-label')
        assert _fits(page)
        screenshot(page, 'reports-en-1366.png')
        page.set_viewport_size(PHONE)
        assert _fits_after_resize(page), _overflowing(page)
        _charts_drawn(page)
        screenshot(page, 'reports-en-phone.png')
        page.screenshot(path=os.path.join(ARTIFACTS, 'reports-en-phone-full.png'), full_page=True)
        assert page.errors == []
    finally:
        context.close()


def test_a_monthly_report_is_made_and_downloaded_from_the_page_in_spanish(browser, server):
    boss = server.seed['supervisor']['token']
    assert server.api('PATCH', '/auth/me', boss, json={'locale': 'es'}).status_code == 200
    context, page = _open(browser, server, server.seed['supervisor']['email'])
    try:
        expect(page.locator('h2#c-volume-title')).to_have_text('Contactos por media hora')
        expect(page.locator('#tile-volume-prev')).to_have_text(f"semana pasada: {server.made['last_week']}")
        _charts_drawn(page)
        page.select_option('[data-testid=report-client]', 'acme')
        page.wait_for_selector('body[data-reports-loaded]', state='attached')
        page.click('[data-testid=monthly-make]')
        row = page.locator('[data-testid=monthly-row]').first
        expect(row).to_contain_text('Listo', timeout=15000)
        expect(row).to_contain_text('Acme Cable')
        with page.expect_download() as download:
            row.locator('[data-testid=monthly-pdf]').click()
        path = download.value.path()
        with open(path, 'rb') as pdf:
            assert pdf.read(5) == b'%PDF-'
        assert download.value.suggested_filename.startswith('acme-')
        assert _fits(page)
        screenshot(page, 'reports-es-1366.png')
        page.set_viewport_size(PHONE)
        assert _fits_after_resize(page), _overflowing(page)
        screenshot(page, 'reports-es-phone.png')
        assert page.errors == []
    finally:
        context.close()
        server.api('PATCH', '/auth/me', boss, json={'locale': 'en'})


def test_an_agent_is_sent_back_to_the_console(browser, server):
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    try:
        login(page, server, server.seed['agent']['email'])
        page.goto(server.url + '/reports')
        assert page.url.endswith('/console')
        response = requests.get(server.url + '/api/v1/reports/monthly', timeout=10,
                                headers={'Authorization': f"Bearer {server.seed['agent']['token']}"})
        assert response.status_code == 403
    finally:
        context.close()

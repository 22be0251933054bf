"""A real server (subprocess on a free port, scratch SQLite) and headless Chromium for the browser tests."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import pytest
import requests

from support.core.signing import sign

from ..browser import ARTIFACTS, CHROMIUM_ARGS  # noqa: F401  (re-exported for the browser tests)
from ..servers import ServeProcess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DESKTOP = {'width': 1440, 'height': 900}
# Short offers so the expiry test is quick; the names are the routing domain's settings.
SERVER_ENV = {'SUPPORT_OFFER_TIMEOUT_CHAT': '30', 'SUPPORT_OFFER_TIMEOUT_SMS': '3', 'SUPPORT_OUTBOUND_TIMEOUT': '1'}


class LiveServer(ServeProcess):
    """The console's server, with shortcuts to act as a client system or an agent."""

    def post_ticket(self, creds: dict, **body) -> dict:
        """A ticket through the signed client webhook, as a client system would send it."""
        raw = json.dumps(body).encode()
        ts = int(time.time())
        headers = {'X-Support-Key': creds['key_id'], 'X-Support-Timestamp': str(ts),
                   'X-Support-Signature': sign(creds['secret'], ts, raw), 'Content-Type': 'application/json'}
        response = requests.post(self.url + '/api/v1/intake/tickets', data=raw, headers=headers, timeout=10)
        assert response.status_code == 201, response.text
        return response.json()

    def api(self, method: str, path: str, token: str, **kwargs):
        return requests.request(method, self.url + '/api/v1' + path, headers={'Authorization': f'Bearer {token}'},
                                timeout=10, **kwargs)


@pytest.fixture(scope='module')
def server(chromium_path):
    tmp = tempfile.mkdtemp(prefix='support-console-')
    url = 'sqlite:///' + os.path.join(tmp, 'console.sqlite')
    env = {k: v for k, v in os.environ.items() if not k.startswith(('SUPPORT_', 'FLASK_'))}
    env.update({'SUPPORT_DATABASE_URL': url, 'SUPPORT_INSTANCE_PATH': tmp, 'SUPPORT_SECRET_KEY': 'console-tests',
                'SUPPORT_JOBS': 'sqlite', 'PYTHONUNBUFFERED': '1', **SERVER_ENV})
    seeded = subprocess.run([sys.executable, '-m', 'tests.console.seed', url], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=True)
    os.makedirs(ARTIFACTS, exist_ok=True)
    # The server's log is kept in artifacts/ for post-mortems, with job timings.
    live = LiveServer(env, os.path.join(ARTIFACTS, 'console-server.log'), log_jobs=True)
    live.seed = json.loads(seeded.stdout.strip().splitlines()[-1])
    live.start()
    yield live
    live.close()
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def open_page(browser, server):
    """``open_page(role, locale=None)``: a logged-in page in its own browser context (own cookies)."""
    contexts = []

    def opener(role: str, path: str | None = None):
        context = browser.new_context(viewport=DESKTOP, locale='en-US', timezone_id='UTC')
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on('pageerror', lambda exc: page.errors.append(str(exc)))
        page.on('console', lambda msg: msg.type == 'error' and page.errors.append(msg.text))
        login(page, server, server.seed[role]['email'])
        if path:
            page.goto(server.url + path)
        return page

    yield opener
    for context in contexts:
        context.close()


def login(page, server, email: str) -> None:
    page.goto(server.url + '/login')
    page.fill('input[name=email]', email)
    page.fill('input[name=password]', server.seed['password'])
    page.click('button[type=submit]')
    page.wait_for_selector('#live-status.connected', timeout=10000)


def screenshot(page, name: str) -> None:
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, name), full_page=False)

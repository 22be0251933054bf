"""The Swagger page, in Chromium, offers both ways in: the bearer token and the three signature headers."""
import os

import pytest

from ..console.conftest import ARTIFACTS, CHROMIUM_ARGS, chromium_path  # noqa: F401  (fixture)
from ..servers import ThreadServer


@pytest.fixture
def page(app, chromium_path):  # noqa: F811
    from playwright.sync_api import sync_playwright
    with ThreadServer(app) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={'width': 1280, 'height': 900})
        page.goto(server.url + '/api/v1/docs')
        yield page
        browser.close()


def test_the_authorize_dialog_lists_bearer_and_client_signature(page):
    page.get_by_role('button', name='Authorize').first.click()
    dialog = page.locator('.dialog-ux .modal-ux')
    dialog.wait_for()
    text = dialog.inner_text()
    for scheme in ('bearerAuth', 'clientKey', 'clientTimestamp', 'clientSignature'):
        assert scheme in text, text
    for header in ('X-Support-Key', 'X-Support-Timestamp', 'X-Support-Signature'):
        assert header in text
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, 'swagger-authorize.png'))


def test_an_intake_operation_shows_the_signature_lock(page):
    operation = page.locator('[id^="operations-"][id$="_api_v1_intake_tickets"]').first
    operation.wait_for()
    assert operation.locator('.authorization__btn').count() == 1

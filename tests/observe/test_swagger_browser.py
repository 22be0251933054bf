"""The Swagger page, in Chromium, offers both ways in: the bearer token and the three signature headers."""
import os

import pytest

from ..browser import ARTIFACTS
from ..servers import ThreadServer


@pytest.fixture
def page(app, browser):
    with ThreadServer(app) as server:
        context = browser.new_context(viewport={'width': 1280, 'height': 900})
        page = context.new_page()
        page.goto(server.url + '/api/v1/docs')
        yield page
        context.close()


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

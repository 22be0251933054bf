"""Headless Chromium for the browser tests: one Playwright per test process.

Playwright's sync API runs its own event loop; a second ``sync_playwright()`` started while the first is open
fails ("Sync API inside the asyncio loop"), so every browser test, whatever its folder, shares the session
``browser`` fixture of ``tests/conftest.py`` and opens its own context.
"""
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM = os.environ.get('SUPPORT_CHROMIUM', '/usr/bin/chromium')
ARTIFACTS = os.path.join(ROOT, 'artifacts')
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
                 '--disable-sync', '--no-first-run']


@pytest.fixture(scope='session')
def chromium_path():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f'{CHROMIUM} is missing: install Debian\'s chromium (apt-get install -y chromium)')
    return CHROMIUM


@pytest.fixture(scope='session')
def browser(chromium_path):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()

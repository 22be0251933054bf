"""End to end in headless Chromium: the agent console and the supervisor dashboard against a real server."""
from .conftest import screenshot


def test_login_and_pages(open_page, server):
    agent = open_page('agent')
    assert agent.url.endswith('/console')
    screenshot(agent, 'smoke-console.png')
    supervisor = open_page('supervisor')
    assert supervisor.url.endswith('/dashboard')
    screenshot(supervisor, 'smoke-dashboard.png')
    assert agent.errors == [] and supervisor.errors == []

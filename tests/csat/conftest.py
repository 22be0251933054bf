import pytest

from support.core import live

from ..outbound.conftest import admin, outbound_config, receiver_factory, smtp_server  # noqa: F401


@pytest.fixture
def events(monkeypatch):
    """Live events as they would be emitted (after commit)."""
    seen = []
    monkeypatch.setattr(live, '_emitter', lambda name, payload, rooms: seen.append((name, payload, rooms)))
    return seen


@pytest.fixture
def public_url(app, monkeypatch):
    monkeypatch.setitem(app.config, 'SUPPORT_PUBLIC_URL', 'http://localhost')
    return 'http://localhost'

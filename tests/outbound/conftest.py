import pytest

from .servers import Receiver, SMTPServer


@pytest.fixture
def smtp_server(app, monkeypatch):
    server = SMTPServer().start()
    monkeypatch.setitem(app.config, 'SUPPORT_SMTP_URL', server.url)
    monkeypatch.setitem(app.config, 'SUPPORT_MAIL_FROM', 'help@support.example.com')
    yield server
    server.stop()


@pytest.fixture
def outbound_config(app, monkeypatch):
    """Local receivers live on 127.0.0.1, which production refuses."""
    monkeypatch.setitem(app.config, 'SUPPORT_OUTBOUND_ALLOW_PRIVATE', True)
    monkeypatch.setitem(app.config, 'SUPPORT_OUTBOUND_TIMEOUT', 3)


@pytest.fixture
def receiver_factory(outbound_config):
    started = []

    def start(script=(200,)):
        receiver = Receiver(script).start()
        started.append(receiver)
        return receiver
    yield start
    for receiver in started:
        receiver.stop()


@pytest.fixture
def admin(make):
    return make.agent(role='admin', languages=['en', 'es'])

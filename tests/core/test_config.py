"""Area settings come from the Flask config, else the SUPPORT_* environment, typed like their default."""
from support.core.config import setting


def test_config_wins_then_environment_then_default(app, monkeypatch):
    monkeypatch.setenv('SUPPORT_SOME_LIMIT', '42')
    assert setting('SUPPORT_SOME_LIMIT', 7) == 42
    app.config['SUPPORT_SOME_LIMIT'] = 9
    assert setting('SUPPORT_SOME_LIMIT', 7) == 9
    assert setting('SUPPORT_NOT_SET_ANYWHERE', 7) == 7


def test_environment_text_takes_the_defaults_type(app, monkeypatch):
    monkeypatch.setenv('SUPPORT_FLAG', 'off')
    monkeypatch.setenv('SUPPORT_TYPES', 'image/png, application/pdf')
    monkeypatch.setenv('SUPPORT_CAPACITIES', 'chat=2,email=5')
    monkeypatch.setenv('SUPPORT_URL', 'https://support.example')
    assert setting('SUPPORT_FLAG', True) is False
    assert setting('SUPPORT_TYPES', ('text/plain',)) == ('image/png', 'application/pdf')
    assert setting('SUPPORT_CAPACITIES', {'chat': 3}) == {'chat': 2, 'email': 5}
    assert setting('SUPPORT_URL') == 'https://support.example'

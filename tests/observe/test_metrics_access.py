"""Who may read /metrics: the token holder, or an allowed network; nobody when neither is configured."""
import pytest

from .conftest import TOKEN


def test_off_when_neither_token_nor_network_is_configured(http):
    response = http.get('/metrics')
    assert response.status_code == 404 and response.get_json()['error']['code'] == 'not_found'


def test_the_token_opens_it_and_nothing_else_does(app, http, monkeypatch):
    monkeypatch.setitem(app.config, 'SUPPORT_METRICS_TOKEN', TOKEN)
    missing = http.get('/metrics', headers={'Accept-Language': 'es'})
    assert missing.status_code == 401 and missing.headers['WWW-Authenticate'].startswith('Bearer')
    assert missing.get_json()['error']['message'] == 'Las métricas necesitan Authorization: Bearer <token>.'
    wrong = http.get('/metrics', headers={'Authorization': 'Bearer not-the-token'})
    assert wrong.status_code == 403 and wrong.get_json()['error']['code'] == 'metrics_token_invalid'
    right = http.get('/metrics', headers={'Authorization': f'Bearer {TOKEN}'})
    assert right.status_code == 200
    assert right.headers['Content-Type'].startswith('text/plain; version=')
    assert '# TYPE support_http_requests_total counter' in right.get_data(as_text=True)


@pytest.mark.parametrize('networks, remote, status', [
    ('127.0.0.0/8', '127.0.0.1', 200),
    ('10.0.0.0/8, 192.168.1.0/24', '192.168.1.7', 200),
    ('10.0.0.0/8', '192.168.1.7', 404),
    ('::1/128', '127.0.0.1', 404),
])
def test_an_allowed_network_needs_no_token(app, http, monkeypatch, networks, remote, status):
    monkeypatch.setitem(app.config, 'SUPPORT_METRICS_NETWORKS', networks)
    response = http.get('/metrics', environ_base={'REMOTE_ADDR': remote})
    assert response.status_code == status


def test_outside_the_networks_the_token_still_works(app, http, monkeypatch):
    monkeypatch.setitem(app.config, 'SUPPORT_METRICS_NETWORKS', '10.0.0.0/8')
    monkeypatch.setitem(app.config, 'SUPPORT_METRICS_TOKEN', TOKEN)
    outside = {'REMOTE_ADDR': '192.168.1.7'}
    assert http.get('/metrics', environ_base=outside).status_code == 401
    assert http.get('/metrics', environ_base=outside, headers={'Authorization': f'Bearer {TOKEN}'}).status_code == 200


def test_a_mistyped_network_fails_the_start_naming_the_setting():
    from flask import Flask

    from support.observe.api import blp
    bare = Flask('bare')
    bare.config['SUPPORT_METRICS_NETWORKS'] = '10.0.0.0/8, 10.0.0.0/33'
    with pytest.raises(ValueError, match='SUPPORT_METRICS_NETWORKS: .*10.0.0.0/33'):
        bare.register_blueprint(blp)  # what create_app does

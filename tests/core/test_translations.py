"""Every user-facing string has a Spanish translation with the same placeholders."""
import os

from support.core.i18n_check import ROOT, problems


def test_every_message_has_a_spanish_translation():
    assert problems(os.path.join(ROOT, 'translations')) == []


def test_errors_follow_accept_language(http):
    response = http.post('/api/v1/auth/token', json={'email': 'nobody@example.com', 'password': 'x'},
                         headers={'Accept-Language': 'es-MX,es;q=0.9'})
    assert response.status_code == 401
    assert response.get_json()['error']['message'] == 'Correo electrónico o contraseña incorrectos.'


def test_english_is_the_default(http):
    response = http.post('/api/v1/auth/token', json={'email': 'nobody@example.com', 'password': 'x'},
                         headers={'Accept-Language': 'fr'})
    assert response.get_json()['error']['message'] == 'Wrong e-mail or password.'

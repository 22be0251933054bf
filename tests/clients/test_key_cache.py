"""The per-process cache of signing keys: a change through the API takes effect on the next request."""
import json

from support.clients import operations
from support.core import caches

from ..factories import ticket_body


def _post(http, creds, key_id=None, secret=None):
    raw = json.dumps(ticket_body()).encode()
    headers = creds.headers(raw)
    if key_id:
        from support.core.signing import sign
        headers['X-Support-Key'] = key_id
        headers['X-Support-Signature'] = sign(secret, int(headers['X-Support-Timestamp']), raw)
    return http.post('/api/v1/intake/tickets', data=raw, headers=headers)


def test_rotated_key_new_works_and_revoked_is_refused_at_once(make, http):
    admin = make.agent(role='admin')
    creds = make.client()
    assert _post(http, creds).status_code == 201  # the key is cached now
    assert creds.key_id in operations._signing_keys._data
    new_key = http.post(f'/api/v1/clients/{creds.slug}/keys', headers=admin.headers).get_json()
    assert _post(http, creds, new_key['key_id'], new_key['secret']).status_code == 201
    assert http.delete(f'/api/v1/clients/{creds.slug}/keys/{creds.key_id}', headers=admin.headers).status_code == 200
    refused = _post(http, creds)
    assert refused.status_code == 401 and refused.get_json()['error']['code'] == 'signature_invalid'
    assert _post(http, creds, new_key['key_id'], new_key['secret']).status_code == 201


def test_a_deactivated_client_is_refused_at_once(make, http):
    admin = make.agent(role='admin')
    creds = make.client()
    assert _post(http, creds).status_code == 201
    assert http.patch(f'/api/v1/clients/{creds.slug}', json={'active': False},
                      headers=admin.headers).status_code == 200
    assert _post(http, creds).status_code == 401


def test_a_client_change_is_seen_by_the_next_request(make, http):
    admin = make.agent(role='admin')
    creds = make.client(default_language='en')
    assert _post(http, creds).status_code == 201
    assert http.patch(f'/api/v1/clients/{creds.slug}', json={'name': 'Renamed Cable'},
                      headers=admin.headers).status_code == 200
    assert operations._signing_keys._data == {}
    assert _post(http, creds).status_code == 201
    assert operations._signing_keys._data[creds.key_id][1].client.name == 'Renamed Cable'


def test_a_value_loaded_before_a_forget_is_not_stored(app):
    cache = caches.TTLCache('test.race')  # noqa: the name only matters for Redis invalidations

    def load_then_someone_forgets():
        cache.forget('k', publish=False)  # a change committed while we were reading the old row
        return 'old'
    assert cache.get('k', load_then_someone_forgets) == 'old'
    assert cache.get('k', lambda: 'new') == 'new'
    assert cache.get('k', lambda: 'newer') == 'new'


def test_entries_expire_after_the_ttl(app):
    cache = caches.TTLCache('test.ttl', seconds=lambda: 0.0)
    assert cache.get('k', lambda: 1) == 1
    assert cache.get('k', lambda: 2) == 2

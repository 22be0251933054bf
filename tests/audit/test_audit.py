"""The audit log: written with the change (or not at all), append-only, filtered, exported,
and supervisors read only their clients' entries."""
import csv
import io

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from support.audit.models import AuditEntry
from support.core.extensions import db


def _entries(http, login, **query):
    response = http.get('/api/v1/audit', query_string=query, headers=login.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()['items']


def test_admin_actions_are_logged_with_who_what_and_where(make, http):
    admin = make.agent(role='admin')
    creds = make.client(slug='acme')
    key = http.post('/api/v1/clients/acme/keys', headers=admin.headers,
                    environ_base={'REMOTE_ADDR': '192.0.2.44'}).get_json()
    http.delete(f"/api/v1/clients/acme/keys/{key['key_id']}", headers=admin.headers)
    revoked, created = _entries(http, admin, action='client.key_*')[:2]
    assert (created['action'], created['target_id'], created['client']) == ('client.key_created', key['key_id'], 'acme')
    assert created['actor'] == {'type': 'agent', 'id': admin.id, 'name': admin.email}
    assert created['ip'] == '192.0.2.44' and revoked['action'] == 'client.key_revoked'
    assert key['secret'] not in str(_entries(http, admin))
    assert creds.id


def test_every_supervisor_and_admin_write_is_logged_even_without_a_call(make, http):
    boss = make.agent(role='supervisor')
    reason = {'code': 'coaching', 'label_en': 'Coaching', 'label_es': 'Coaching'}
    assert http.post('/api/v1/routing/away-reasons', json=reason, headers=boss.headers).status_code == 201
    admin = make.agent(role='admin')
    [entry] = _entries(http, admin, action='routing.post_away_reason')
    assert entry['actor']['id'] == boss.id and entry['detail']['path'] == '/api/v1/routing/away-reasons'
    assert entry['detail']['method'] == 'POST'


def test_a_change_that_fails_writes_no_entry(make, http):
    admin = make.agent(role='admin')
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    response = http.post('/api/v1/clients', json={'name': 'Dup', 'slug': 'dup'}, headers=admin.headers)
    assert response.status_code == 201
    assert http.post('/api/v1/clients', json={'name': 'Dup', 'slug': 'dup'}, headers=admin.headers).status_code == 409
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id).offset(before)).all()
    assert actions == ['client.created', 'client.key_created']


def test_filters_and_pages(make, http):
    admin = make.agent(role='admin')
    for slug in ('one', 'two', 'three'):
        http.post('/api/v1/clients', json={'name': slug.title(), 'slug': slug}, headers=admin.headers)
    page = http.get('/api/v1/audit', query_string={'action': 'client.created', 'limit': 2},
                    headers=admin.headers).get_json()
    assert [e['target_id'] for e in page['items']] == ['three', 'two'] and page['next_cursor']
    rest = _entries(http, admin, action='client.created', before=page['next_cursor'])
    assert [e['target_id'] for e in rest] == ['one']
    assert [e['action'] for e in _entries(http, admin, client='two', action='client.*')] == [
        'client.key_created', 'client.created']
    assert _entries(http, admin, actor_type='client') == []
    bad = http.get('/api/v1/audit', query_string={'client': 'nope'}, headers=admin.headers)
    assert bad.status_code == 422


def test_csv_export_is_logged_and_safe_for_spreadsheets(make, http):
    admin = make.agent(role='admin', email='=cmd@example.com')
    http.post('/api/v1/clients', json={'name': 'Acme', 'slug': 'acme'}, headers=admin.headers)
    response = http.get('/api/v1/audit/export', query_string={'action': 'client.*'}, headers=admin.headers)
    assert response.status_code == 200 and response.mimetype == 'text/csv'
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r['action'] for r in rows] == ['client.key_created', 'client.created']
    assert rows[0]['client'] == 'acme' and rows[0]['actor_name'] == "'=cmd@example.com"  # no formula
    assert _entries(http, admin, action='audit.exported')[0]['detail']['rows'] == 2


def test_supervisors_read_only_their_clients_entries(make, http):
    make.client(slug='acme'), make.client(slug='globex')
    admin = make.agent(role='admin')
    for slug in ('acme', 'globex'):
        http.post(f'/api/v1/clients/{slug}/keys', headers=admin.headers)
    restricted = make.agent(role='supervisor', clients=['acme'])
    everyone = make.agent(role='supervisor')
    assert {e['client'] for e in _entries(http, restricted)} == {'acme'}
    assert {e['client'] for e in _entries(http, everyone)} == {'acme', 'globex'}  # no account-wide entries
    assert all(e['client'] for e in _entries(http, everyone))
    assert any(e['client'] is None for e in _entries(http, admin))  # admins also see logins, accounts...
    assert http.get('/api/v1/audit', headers=make.agent().headers).status_code == 403
    forbidden = http.get('/api/v1/audit', query_string={'client': 'globex'}, headers=restricted.headers)
    assert forbidden.status_code == 422


def test_entries_cannot_be_changed_or_deleted(make, http):
    admin = make.agent(role='admin')
    http.post('/api/v1/clients', json={'name': 'Acme', 'slug': 'acme'}, headers=admin.headers)
    entry = db.session.scalars(sa.select(AuditEntry)).first()
    entry.action = 'nothing.happened'
    with pytest.raises(RuntimeError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(DBAPIError):  # the database itself refuses (a trigger), whatever the code does
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE audit_entries SET action = 'x'"))
    if db.engine.dialect.name == 'postgresql':
        with pytest.raises(DBAPIError):
            with db.engine.begin() as conn:
                conn.execute(sa.text('DELETE FROM audit_entries'))

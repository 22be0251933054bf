"""The migration turns the ids of the big tables (and what refers to them) into bigint on PostgreSQL,
sequences included, and encrypts the secrets already stored."""
import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from support import create_app
from support.core.extensions import db

from ..conftest import PG_URL, app_config
from .test_migrations import _scratch_urls

BIG = {('tickets', 'id'), ('messages', 'ticket_id'), ('ticket_events', 'id'), ('webhook_deliveries', 'id'),
       ('webhook_attempts', 'delivery_id'), ('offers', 'ticket_id'), ('routing_items', 'ticket_id'),
       ('sla_clocks', 'ticket_id'), ('audit_entries', 'id')}


@pytest.mark.skipif(not PG_URL, reason='SQLite ids are 64-bit already')
def test_big_ids_and_encrypted_secrets_after_upgrade(tmp_path):
    url = dict(_scratch_urls(str(tmp_path)))['postgresql']
    app = create_app(app_config('postgresql', SQLALCHEMY_DATABASE_URI=url))
    with app.app_context():
        upgrade(revision='0009_sla')
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO clients (name, slug, default_language, active, created_at, timezone, "
                                 "products, tags) VALUES ('A', 'a', 'en', true, now(), 'UTC', '[]', '[]')"))
            conn.execute(sa.text("INSERT INTO client_keys (client_id, key_id, secret, active, created_at) "
                                 "SELECT id, 'a_1', 'plain-secret-value', true, now() FROM clients"))
            conn.execute(sa.text("INSERT INTO agents (email, name, password_hash, role, languages, active, "
                                 "token_version, created_at) VALUES ('s@x.example', 'S', 'x', 'supervisor', '[]', "
                                 "true, 1, now())"))
        upgrade(revision='heads')
        inspector = sa.inspect(db.engine)
        types = {(table, column['name']): column['type'] for table in {t for t, _c in BIG}
                 for column in inspector.get_columns(table)}
        assert all(isinstance(types[key], sa.BigInteger) for key in BIG), {k: types[k] for k in BIG}
        with db.engine.connect() as conn:
            sequence = conn.execute(sa.text("SELECT data_type FROM information_schema.sequences "
                                            "WHERE sequence_name = 'tickets_id_seq'")).scalar()
            stored = conn.execute(sa.text('SELECT secret FROM client_keys')).scalar()
            all_clients = conn.execute(sa.text('SELECT all_clients FROM agents')).scalar()
        assert sequence == 'bigint' and stored.startswith('gAAAAA') and all_clients is True
        from support.clients.models import ClientKey
        assert db.session.scalars(sa.select(ClientKey)).one().secret == 'plain-secret-value'
        db.session.remove()
        downgrade(revision='base')
        db.engine.dispose()

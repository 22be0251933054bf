"""A macro's changes reach the live socket like manual ones; the migration turns canned answers into macros."""
import pytest
import sqlalchemy as sa

from support.core.extensions import db

from ..servers import EventLog, ThreadServer


@pytest.fixture
def server(app):
    with ThreadServer(app) as running:
        yield running


def test_a_macros_changes_are_live_events(server, macros, http):
    macro = macros.create(title='Pending', body_es='Quedo atento, {{ customer.first_name }}.',
                          actions={'status': 'pending', 'add_tags': ['waiting']})
    ticket = macros.ticket()
    supervisor = EventLog(server.url, macros.boss.token).connect()
    agent = EventLog(server.url, macros.agent.token).connect()
    try:
        supervisor.wait_for('queue.snapshot')
        assert macros.apply(ticket, macro).status_code == 200
        updated = agent.wait_for('ticket.updated', where=lambda d: d['id'] == ticket['id']
                                 and 'status' in d['changes'] and d['changes']['status']['after'] == 'pending')
        assert updated['status'] == 'pending'
        supervisor.wait_for('ticket.updated', where=lambda d: d['id'] == ticket['id'] and 'tags' in d['changes'])
    finally:
        supervisor.close()
        agent.close()


def test_the_migration_turns_canned_answers_into_macros(tmp_path):
    """Canned answers written before 0019 become macros (both languages of a title in one), and back."""
    from flask_migrate import downgrade, upgrade

    from support import create_app

    from ..conftest import app_config
    from ..core.test_migrations import _scratch_urls
    from ..factories import Factories
    from support.core.jobs import huey
    huey.immediate = True
    before = _revision_before('0019_macros')
    for backend, url in _scratch_urls(str(tmp_path)):
        app = create_app(app_config(backend, SQLALCHEMY_DATABASE_URI=url))
        with app.app_context():
            upgrade(revision='heads')
            make = Factories(app)
            creds = make.client('acme')
            agent = make.agent(name='Lucía Hernández')
            db.session.remove()
            downgrade(revision=before)
            with db.engine.begin() as conn:
                for language, title, body in [('es', 'Saludo', 'Hola {customer}, soy {agent}. {{no}} {% es %}'),
                                              ('en', 'Saludo', 'Hi {customer}'), ('es', 'Otro', 'Nada')]:
                    conn.execute(sa.text("INSERT INTO canned_answers (client_id, language, title, body, created_at, "
                                         "updated_at) VALUES (:c, :l, :t, :b, '2026-01-01 00:00:00+00', "
                                         "'2026-01-02 00:00:00+00')"),
                                 {'c': creds.id, 'l': language, 't': title, 'b': body})
            upgrade(revision='heads')
            http = app.test_client()
            listed = http.get('/api/v1/macros', headers=agent.headers).get_json()
            assert [(m['title'], bool(m['body_en']), bool(m['body_es'])) for m in listed] == [
                ('Otro', False, True), ('Saludo', True, True)], backend
            ticket = make.ticket(creds, language='es', customer={'name': 'María López', 'email': 'm@example.com'})
            preview = http.get(f"/api/v1/tickets/{ticket['id']}/macros/{listed[1]['id']}/preview",
                               headers=agent.headers).get_json()
            assert preview['body'] == 'Hola María López, soy Lucía Hernández. {{no}} {% es %}', backend
            db.session.remove()
            downgrade(revision=before)
            with db.engine.connect() as conn:
                rows = conn.execute(sa.text('SELECT language, title, body FROM canned_answers ORDER BY title, '
                                            'language')).all()
            assert [tuple(r) for r in rows] == [('es', 'Otro', 'Nada'), ('en', 'Saludo', 'Hi {customer}'), (
                'es', 'Saludo', 'Hola {customer}, soy {agent}. {{no}} {% es %}')], backend
            upgrade(revision='heads')
            db.session.remove()
            db.engine.dispose()


def _revision_before(revision: str) -> str:
    import os

    from alembic.config import Config
    from alembic.script import ScriptDirectory
    config = Config()
    config.set_main_option('script_location', os.path.join(os.path.dirname(__file__), '..', '..', 'support',
                                                           'migrations'))
    return ScriptDirectory.from_config(config).get_revision(revision).down_revision

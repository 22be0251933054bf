"""Build a scratch database for the browser tests: ``python -m tests.console.seed DB_URL`` prints the logins.

Runs in its own process so the test process never binds a second app to the
Socket.IO extension that other tests use.
"""
import json
import sys

PASSWORD = 'console-pass-1'


def seed(url: str) -> dict:
    from support import create_app
    from support.agents.auth import issue_token
    from support.agents.operations import create_agent
    from support.clients.operations import create_client
    from support.core.extensions import db
    from support.macros.operations import create_macro
    from support.sites.operations import get_or_create_site

    app = create_app({'SQLALCHEMY_DATABASE_URI': url, 'SUPPORT_REDIS_URL': None})
    with app.app_context():
        db.create_all()
        get_or_create_site('Polanco', 'America/Mexico_City')
        # No wrap-up for acme: these flows hand tickets on and expect the capacity back at once
        # (test_wrapup_browser.py makes a client with wrap-up of its own).
        client, key, secret = create_client('Acme Cable', 'acme', 'es', wrapup_seconds=0)
        agent = create_agent('lucia@example.com', 'Lucía Hernández', PASSWORD, 'agent', ['en', 'es'], 'Polanco',
                             locale='es', all_clients=True)
        supervisor = create_agent('sergio@example.com', 'Sergio Supervisor', PASSWORD, 'supervisor', ['en', 'es'],
                                  'Polanco', locale='en', all_clients=True)
        admin = create_agent('ana@example.com', 'Ana Admin', PASSWORD, 'admin', ['en', 'es'], 'Polanco',
                             locale='en', all_clients=True)
        db.session.flush()
        create_macro(admin, {'client': 'acme', 'title': 'Saludo y cierre', 'body_es':
                             'Hola {{ customer.name }}, soy {{ agent.name }}. Ya reiniciamos su módem; '
                             'el servicio quedó restablecido.',
                             'body_en': 'Hi {{ customer.name }}, this is {{ agent.name }}. We restarted your modem; '
                             'service is back.'})
        create_macro(admin, {'client': None, 'title': 'Despedida', 'body_es': 'Gracias por contactarnos.'})
        db.session.commit()
        logins = {'agent': {'id': agent.id, 'email': agent.email, 'token': issue_token(agent)},
                  'supervisor': {'id': supervisor.id, 'email': supervisor.email, 'token': issue_token(supervisor)},
                  'admin': {'id': admin.id, 'email': admin.email, 'token': issue_token(admin)}}
        _routing_setup(app, logins)
        return {'password': PASSWORD, **logins,
                'client': {'id': client.id, 'slug': 'acme', 'key_id': key.key_id, 'secret': secret}}


def _routing_setup(app, logins) -> None:
    """Give the agent chat and email capacity through the routing API, when it exists."""
    if not any(r.rule.startswith('/api/v1/routing') for r in app.url_map.iter_rules()):
        return
    http = app.test_client()
    auth = {'Authorization': f"Bearer {logins['supervisor']['token']}"}
    response = http.patch(f"/api/v1/routing/agents/{logins['agent']['id']}", headers=auth,
                          json={'capacities': {'chat': 2, 'email': 3}})
    assert response.status_code == 200, response.get_json()


if __name__ == '__main__':
    print(json.dumps(seed(sys.argv[1])))

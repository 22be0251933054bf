"""The demo as a newcomer meets it: agents with locales, available, and a posted ticket is offered."""
import json
import os
import shutil
import subprocess
from contextlib import closing

import pytest
import requests
import sqlalchemy as sa

from support.agents.models import Agent
from support.agents.presence import AgentState, Presence
from support.core.extensions import db
from support.routing.models import Offer, OfferStatus

from ..factories import ClientCreds
from ..servers import ROOT, VENV_BIN, EventLog, ServeProcess


def _seed(app, *args):
    result = app.test_cli_runner().invoke(args=['support', 'seed-demo', *args])
    assert result.exit_code == 0, result.output
    return result


def test_demo_agents_have_locales_and_the_three_agents_start_available(app):
    credentials = json.loads(_seed(app).output)
    locales = dict(db.session.execute(sa.select(Agent.email, Agent.locale)).all())
    assert locales['lucia@support.example'] == 'es'
    assert None not in locales.values()
    available = set(db.session.scalars(sa.select(Agent.email).join(AgentState, AgentState.agent_id == Agent.id)
                                       .where(AgentState.status == Presence.available)))
    assert available == set(credentials['available']) == {
        'emily@support.example', 'lucia@support.example', 'mateo@support.example'}


def test_a_signed_spanish_chat_posted_to_the_demo_is_offered_to_a_spanish_speaking_demo_agent(app, make):
    credentials = json.loads(_seed(app).output)
    northwind = credentials['clients']['northwind']
    creds = ClientCreds(0, 'northwind', northwind['key_id'], northwind['secret'])
    response = make.post_ticket(creds, subject='Sin internet', body='Hola, no tengo internet desde ayer.',
                                channel='chat', language='es')
    assert response.status_code == 201, response.get_json()
    ticket_id = response.get_json()['id']
    db.session.remove()
    offer = db.session.scalar(sa.select(Offer).where(Offer.ticket_id == ticket_id))
    assert offer is not None and offer.status == OfferStatus.pending
    agent = db.session.get(Agent, offer.agent_id)
    assert agent.email in credentials['available'] and 'es' in agent.languages


def test_the_guide_uses_the_given_url_and_a_pasteable_signed_request(app):
    output = _seed(app, '--url', 'http://127.0.0.1:5119', '--guide').output
    credentials = json.loads(output[:output.index('\n}\n') + 2])
    assert credentials['url'] == 'http://127.0.0.1:5119'
    guide = output[output.index('\n}\n') + 2:]
    assert 'curl -s http://127.0.0.1:5119/api/v1/intake/tickets' in guide
    assert f"SECRET='{credentials['clients']['northwind']['secret']}'" in guide
    assert 'client-rotate-secret northwind' in guide
    again = json.loads(_seed(app).output)  # secrets are shown only when made; the way back is named
    assert 'client-rotate-secret northwind' in again['clients']['northwind']['secret']


def test_client_rotate_secret_replaces_a_lost_secret(app, make):
    old = make.client(slug='lost')
    result = app.test_cli_runner().invoke(args=['support', 'client-rotate-secret', 'lost'])
    assert result.exit_code == 0, result.output
    new = json.loads(result.output)
    assert new['key_id'] != old.key_id
    assert make.post_ticket(old).status_code == 401
    assert make.post_ticket(ClientCreds(old.id, 'lost', new['key_id'], new['secret'])).status_code == 201
    assert app.test_cli_runner().invoke(args=['support', 'client-rotate-secret', 'nobody']).exit_code != 0


@pytest.mark.skipif(not (shutil.which('bash') and shutil.which('curl') and shutil.which('openssl')),
                    reason='the guide\'s example needs bash, curl and openssl')
def test_the_guides_pasted_example_is_offered_live_on_the_served_demo(tmp_path):
    """As a newcomer: seed, serve, watch as the supervisor, paste the guide's lines into bash."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(('SUPPORT_', 'FLASK_'))}
    env.update({'SUPPORT_INSTANCE_PATH': str(tmp_path), 'SUPPORT_SECRET_KEY': 'demo-tests', 'SUPPORT_JOBS': 'sqlite',
                'SUPPORT_DATABASE_URL': 'sqlite:///' + str(tmp_path / 'demo.sqlite'), 'PYTHONUNBUFFERED': '1',
                'SUPPORT_AWAY_ON_MISS': '0'})
    server = ServeProcess(env, str(tmp_path / 'serve.log'))
    flask = [os.path.join(VENV_BIN, 'flask'), '--app', 'wsgi']
    subprocess.run(flask + ['db', 'upgrade'], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    seeded = subprocess.run(flask + ['support', 'seed-demo', '--guide', '--url', server.url], cwd=ROOT, env=env,
                            check=True, capture_output=True, text=True, timeout=120).stdout
    lines = seeded.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith('  KEY='))
    end = next(i for i, line in enumerate(lines) if line.strip() == '--data "$BODY"')
    pasted = '\n'.join(lines[start:end + 1])
    server.start()
    try:
        token = requests.post(server.url + '/api/v1/auth/token', timeout=10, json={
            'email': 'supervisor@support.example', 'password': 'demo-password'}).json()['token']
        live = EventLog(server.url, token).connect()
        try:
            posted = subprocess.run(['bash', '-c', pasted], capture_output=True, text=True, timeout=60)
            ticket = json.loads(posted.stdout)
            assert ticket['subject'] == 'Sin internet', posted.stdout + posted.stderr
            offer = live.wait_for('offer.created', timeout=20, where=lambda data: data['ticket']['id'] == ticket['id'])
        finally:
            live.close()
    finally:
        server.close()
    spanish_speakers = {'lucia@support.example', 'mateo@support.example'}
    assert offer['status'] == 'pending' and offer['agent_id'] in _ids(env, spanish_speakers)


def _ids(env, emails) -> set[int]:
    import sqlite3
    with closing(sqlite3.connect(env['SUPPORT_DATABASE_URL'].removeprefix('sqlite:///'))) as conn:
        return {row[0] for row in conn.execute('SELECT id, email FROM agents') if row[1] in emails}

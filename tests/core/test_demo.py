"""The demo as a newcomer meets it: agents with locales, available, and a posted ticket is offered."""
import json

import sqlalchemy as sa

from support.agents.models import Agent
from support.agents.presence import AgentState, Presence
from support.core.extensions import db
from support.routing.models import Offer, OfferStatus

from ..factories import ClientCreds


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

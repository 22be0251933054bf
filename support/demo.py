"""Demo data: two clients with SLA policies, four sites, agents in English and Spanish, a few tickets.

The three demo agents start available, so a ticket posted to the demo is offered at once.
"""
import json

import sqlalchemy as sa

from .agents.availability import set_presence
from .agents.models import Agent
from .agents.operations import create_agent
from .agents.presence import Presence
from .calendars.demo import seed_calendars
from .clients.models import Client
from .clients.operations import create_client
from .core.extensions import db
from .lab.demo import seed_lab
from .sites.operations import get_or_create_site
from .sla.demo import seed_sla
from .tickets.models import Channel, Priority
from .tickets.operations import Actor, CustomerContact, InboundTicket, ingest

PASSWORD = 'demo-password'
SITES = [('Polanco', 'America/Mexico_City'), ('Santa Fe', 'America/Mexico_City'),
         ('Monterrey', 'America/Monterrey'), ('Tijuana', 'America/Tijuana')]
CLIENTS = [('Northwind Cable', 'northwind', 'en'), ('Contoso Computers', 'contoso', 'es')]
# email, name, role, languages, site, console locale
AGENTS = [
    ('admin@support.example', 'Ana Admin', 'admin', ['en', 'es'], 'Polanco', 'en'),
    ('supervisor@support.example', 'Sergio Supervisor', 'supervisor', ['en', 'es'], 'Polanco', 'en'),
    ('emily@support.example', 'Emily Carter', 'agent', ['en'], 'Polanco', 'en'),
    ('lucia@support.example', 'Lucía Hernández', 'agent', ['es'], 'Santa Fe', 'es'),
    ('mateo@support.example', 'Mateo García', 'agent', ['en', 'es'], 'Monterrey', 'es'),
]
AVAILABLE = ('emily@support.example', 'lucia@support.example', 'mateo@support.example')
TICKETS = [
    ('northwind', Channel.email, 'Modem keeps dropping', 'My internet disconnects every evening around 8pm, '
     'the modem lights go orange.', {'name': 'John Miller', 'email': 'john.miller@example.com'}, 'modem'),
    ('northwind', Channel.chat, 'Sin señal en el decodificador', 'Hola, mi decodificador dice que no hay señal '
     'desde ayer, ¿me pueden ayudar?', {'name': 'María López', 'phone': '+1 305 555 0101'}, 'cable-box'),
    ('contoso', Channel.web, 'La laptop no enciende', 'Compré una laptop hace un mes y ya no enciende, '
     'la luz de carga parpadea.', {'name': 'Carlos Ruiz', 'email': 'carlos.ruiz@example.com'}, 'laptop'),
    ('contoso', Channel.whatsapp, 'Router wifi slow', 'The wifi from my new router is very slow in the '
     'bedroom, what can I do?', {'name': 'Sarah Kim', 'phone': '+1 415 555 0199'}, 'router'),
]


def seed(url: str = 'http://127.0.0.1:5000') -> dict:
    """Create what is missing and return the credentials (client secrets only when new)."""
    for name, zone in SITES:
        get_or_create_site(name, zone)
    seed_calendars()
    clients = {}
    for name, slug, lang in CLIENTS:
        client = db.session.scalar(sa.select(Client).filter_by(slug=slug))
        if client is None:
            client, key, secret = create_client(name, slug, lang)
            clients[slug] = {'key_id': key.key_id, 'secret': secret}
        else:
            clients[slug] = {'key_id': next((k.key_id for k in client.keys if k.active), None),
                             'secret': f'(created earlier; shown only then: support client-rotate-secret {slug})'}
    _seed_agents()
    seed_sla()
    for slug, channel, subject, body, customer, product in TICKETS:
        client = db.session.scalar(sa.select(Client).filter_by(slug=slug))
        inbound = InboundTicket(channel=channel, subject=subject, body=body, customer=CustomerContact(**customer),
                                priority=Priority.normal, product=product)
        ingest(client, inbound, Actor.client(client), idempotency_key=f'demo-{subject}', fingerprint=subject)
    seed_lab()
    _make_available()
    return {'url': url, 'api_docs': f'{url}/api/v1/docs', 'password_for_all_agents': PASSWORD,
            'agents': [a[0] for a in AGENTS], 'available': list(AVAILABLE), 'clients': clients}


def _seed_agents() -> None:
    for email, name, role, langs, site, locale in AGENTS:
        agent = db.session.scalar(sa.select(Agent).filter_by(email=email))
        if agent is None:
            create_agent(email, name, PASSWORD, role, langs, site, locale=locale, all_clients=True)
        elif agent.locale is None:  # seeded before demo agents had locales
            agent.locale = locale
    db.session.commit()


def _make_available() -> None:
    """The demo agents start available (routing offers them waiting work right away)."""
    for email in AVAILABLE:
        set_presence(db.session.scalar(sa.select(Agent.id).filter_by(email=email)), Presence.available)
    db.session.commit()


def guide(credentials: dict) -> str:
    """What to do next, printed by ``./scripts/demo``: log in, post a signed ticket, see it offered."""
    url = credentials['url']
    client = credentials['clients']['northwind']
    secret = client['secret'] if not client['secret'].startswith('(') else '<the secret client-rotate-secret printed>'
    body = json.dumps({'subject': 'Sin internet', 'body': 'Hola, no tengo internet desde ayer.',
                       'channel': 'chat', 'language': 'es',
                       'customer': {'name': 'Rosa Diaz', 'email': 'rosa.diaz@example.com'}})
    return GUIDE.format(url=url, key_id=client['key_id'], secret=secret, body=body, password=PASSWORD)


GUIDE = """
The demo serves {url}
  Log in at {url}/ with password {password}:
    lucia@support.example       agent, console in Spanish, available (speaks Spanish)
    mateo@support.example       agent, console in Spanish, available (English and Spanish)
    emily@support.example       agent, console in English, available (English)
    supervisor@support.example  supervisor dashboard
  API documentation: {url}/api/v1/docs

Post a ticket as the client Northwind Cable, signed with its secret, and watch it being
offered live: log in as lucia@support.example in one browser tab, then paste this in a shell
(bash with curl and openssl):

  KEY='{key_id}' SECRET='{secret}'
  BODY='{body}'
  TS=$(date +%s)
  SIG=$(printf '%s.%s' "$TS" "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -r | cut -d' ' -f1)
  curl -s {url}/api/v1/intake/tickets -H 'Content-Type: application/json' \\
       -H "X-Support-Key: $KEY" -H "X-Support-Timestamp: $TS" -H "X-Support-Signature: sha256=$SIG" \\
       --data "$BODY"

The Spanish chat is offered to an available agent who speaks Spanish (Lucía or Mateo), who
has 30 seconds to accept it in the console; unanswered, it goes to the next one.
Presence: agents choose available, away or offline in the console's presence menu (or
PUT /api/v1/routing/me/presence {{"status": "available"}}); only available agents get offers.

Lost a client secret? Replace the client's keys (the old ones stop working) and print a new one:
  .venv/bin/flask --app wsgi support client-rotate-secret northwind
"""

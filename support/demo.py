"""Demo data: two clients with SLA policies, four sites, agents in English and Spanish, a few tickets."""
import sqlalchemy as sa

from .agents.models import Agent
from .agents.operations import create_agent
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
AGENTS = [
    ('admin@support.example', 'Ana Admin', 'admin', ['en', 'es'], 'Polanco'),
    ('supervisor@support.example', 'Sergio Supervisor', 'supervisor', ['en', 'es'], 'Polanco'),
    ('emily@support.example', 'Emily Carter', 'agent', ['en'], 'Polanco'),
    ('lucia@support.example', 'Lucía Hernández', 'agent', ['es'], 'Santa Fe'),
    ('mateo@support.example', 'Mateo García', 'agent', ['en', 'es'], 'Monterrey'),
]
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


def seed() -> dict:
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
            clients[slug] = {'key_id': client.keys[0].key_id, 'secret': '(created earlier; shown only then)'}
    for email, name, role, langs, site in AGENTS:
        if db.session.scalar(sa.select(Agent.id).filter_by(email=email)) is None:
            create_agent(email, name, PASSWORD, role, langs, site, all_clients=True)
    db.session.commit()
    seed_sla()
    for slug, channel, subject, body, customer, product in TICKETS:
        client = db.session.scalar(sa.select(Client).filter_by(slug=slug))
        inbound = InboundTicket(channel=channel, subject=subject, body=body, customer=CustomerContact(**customer),
                                priority=Priority.normal, product=product)
        ingest(client, inbound, Actor.client(client), idempotency_key=f'demo-{subject}', fingerprint=subject)
    seed_lab()
    return {'url': 'http://127.0.0.1:5000', 'api_docs': 'http://127.0.0.1:5000/api/v1/docs',
            'password_for_all_agents': PASSWORD, 'agents': [a[0] for a in AGENTS], 'clients': clients}

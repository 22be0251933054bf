"""Demo SLA policies: a US cable operator on its Central office hours, a hardware maker answering
Spanish chats on the Mexican phone line's hours (the calendars of ``calendars.demo``)."""
import sqlalchemy as sa

from ..calendars.models import Calendar
from ..clients.models import Client
from ..core.extensions import db
from .models import SlaPolicy
from .policies import create_policy

CLIENT_SETUP = {
    'northwind': ('America/Chicago', ['modem', 'cable-box', 'router'], [
        {'name': 'Chat and WhatsApp', 'calendar': None, 'conditions': {'channel': ['chat', 'whatsapp', 'sms']},
         'targets': {'answer': 30, 'first_response': 120, 'next_response': 300, 'resolution': 4 * 3600},
         'on_breach': {'priority': 'high', 'escalation': 1}},
        {'name': 'E-mail 4 business hours', 'calendar': 'US office (Central)', 'conditions': {},
         'targets': {'first_response': 4 * 3600, 'next_response': 8 * 3600, 'resolution': 3 * 9 * 3600}},
    ]),
    'contoso': ('America/Mexico_City', ['laptop', 'router'], [
        {'name': 'Chat en español', 'calendar': 'Mexico phone line', 'conditions': {'language': ['es']},
         'targets': {'answer': 20, 'first_response': 60, 'resolution': 8 * 3600}},
        {'name': 'Todo lo demás', 'calendar': 'Mexico phone line', 'conditions': {},
         'targets': {'first_response': 2 * 3600, 'resolution': 24 * 3600}},
    ]),
}


def seed_sla() -> None:
    """Give each demo client its zone, catalogue and policies, once (run after ``seed_calendars``)."""
    calendars = {c.name: c.id for c in db.session.scalars(sa.select(Calendar))}
    for slug, (zone, products, policies) in CLIENT_SETUP.items():
        client = db.session.scalar(sa.select(Client).filter_by(slug=slug))
        if client is None or db.session.scalar(sa.select(SlaPolicy.id).filter_by(client_id=client.id).limit(1)):
            continue
        client.timezone, client.products = zone, products
        for policy in policies:
            create_policy(client, {**{k: v for k, v in policy.items() if k != 'calendar'},
                                   'calendar_id': calendars.get(policy['calendar'])})
    db.session.commit()

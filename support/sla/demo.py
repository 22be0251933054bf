"""Demo calendars and SLA policies: a US cable operator on Central business hours, a hardware
maker answering Spanish chats 07:00-22:00 Mexico City time."""
import sqlalchemy as sa

from ..calendars.hours import parse_clock
from ..calendars.models import Calendar, CalendarHolidaySet, CalendarInterval
from ..clients.models import Client
from ..core.extensions import db
from .models import SlaPolicy
from .policies import create_policy

WEEKDAYS = range(5)
CALENDARS = [
    ('Central business hours', 'America/Chicago', [(d, '09:00', '18:00') for d in WEEKDAYS], [('US', '')]),
    ('Mexico City 7-22', 'America/Mexico_City', [(d, '07:00', '22:00') for d in range(7)], [('MX', '')]),
]
CLIENT_SETUP = {
    'northwind': ('America/Chicago', ['modem', 'cable-box', 'router'], [
        {'name': 'Chat and WhatsApp', 'calendar': None, 'conditions': {'channel': ['chat', 'whatsapp', 'sms']},
         'targets': {'answer': 30, 'first_response': 120, 'next_response': 300, 'resolution': 4 * 3600},
         'on_breach': {'priority': 'high', 'escalation': 1}},
        {'name': 'E-mail 4 business hours', 'calendar': 'Central business hours', 'conditions': {},
         'targets': {'first_response': 4 * 3600, 'next_response': 8 * 3600, 'resolution': 3 * 9 * 3600}},
    ]),
    'contoso': ('America/Mexico_City', ['laptop', 'router'], [
        {'name': 'Chat en español', 'calendar': 'Mexico City 7-22', 'conditions': {'language': ['es']},
         'targets': {'answer': 20, 'first_response': 60, 'resolution': 8 * 3600}},
        {'name': 'Todo lo demás', 'calendar': 'Mexico City 7-22', 'conditions': {},
         'targets': {'first_response': 2 * 3600, 'resolution': 24 * 3600}},
    ]),
}


def seed_sla() -> None:
    """Create the demo calendars and policies that are missing (idempotent)."""
    calendars = {name: _calendar(name, zone, hours, sets) for name, zone, hours, sets in CALENDARS}
    db.session.flush()
    for slug, (zone, products, policies) in CLIENT_SETUP.items():
        client = db.session.scalar(sa.select(Client).filter_by(slug=slug))
        if client is None or db.session.scalar(sa.select(SlaPolicy.id).filter_by(client_id=client.id).limit(1)):
            continue
        client.timezone, client.products = zone, products
        for policy in policies:
            calendar = calendars.get(policy['calendar'])
            create_policy(client, {**{k: v for k, v in policy.items() if k != 'calendar'},
                                   'calendar_id': calendar.id if calendar else None})
    db.session.commit()


def _calendar(name, zone, hours, sets) -> Calendar:
    calendar = db.session.scalar(sa.select(Calendar).filter_by(name=name))
    if calendar is None:
        calendar = Calendar(name=name, timezone=zone,
                            intervals=[CalendarInterval(weekday=d, start_second=parse_clock(a), end_second=parse_clock(b))
                                       for d, a, b in hours],
                            holiday_sets=[CalendarHolidaySet(country=c, subdivision=s) for c, s in sets])
        db.session.add(calendar)
    return calendar

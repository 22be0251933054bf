"""Shortcuts for SLA tests: calendars (built directly), policies (through the API), tickets, time travel."""
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from support.calendars.hours import parse_clock
from support.calendars.models import Calendar, CalendarHoliday, CalendarHolidaySet, CalendarInterval
from support.core import clock
from support.core.extensions import db
from support.sla import timers

WORKDAYS = ('mon', 'tue', 'wed', 'thu', 'fri')


class Sla:
    def __init__(self, make, http):
        self.make, self.http = make, http
        self.boss = make.agent(role='supervisor', languages=['en', 'es'])

    def calendar(self, name='Office', zone='America/Chicago', hours=None, holidays=(), sets=()) -> int:
        """A calendar (default 09:00-18:00 Monday to Friday); returns its id."""
        hours = {day: [('09:00', '18:00')] for day in WORKDAYS} if hours is None else hours
        days = ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')
        calendar = Calendar(name=name, timezone=zone, intervals=[
            CalendarInterval(weekday=days.index(day), start_second=parse_clock(start), end_second=parse_clock(end))
            for day, spans in hours.items() for start, end in spans])
        calendar.holidays = [CalendarHoliday(day=day, name=holiday) for day, holiday in holidays]
        calendar.holiday_sets = [CalendarHolidaySet(country=country, subdivision=sub or '') for country, sub in sets]
        db.session.add(calendar)
        db.session.commit()
        return calendar.id

    def policy(self, slug, expect=201, lang='en', **body) -> dict:
        body.setdefault('name', f"Policy {len(self.policies(slug)) + 1}")
        response = self.http.post(f'/api/v1/clients/{slug}/sla-policies', json=body,
                                  headers={**self.boss.headers, 'Accept-Language': lang})
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def policies(self, slug) -> list:
        return self.http.get(f'/api/v1/clients/{slug}/sla-policies', headers=self.boss.headers).get_json()

    def ticket(self, creds, **overrides) -> dict:
        return self.make.ticket(creds, **overrides)

    def read(self, ticket_id, login=None) -> dict:
        response = self.http.get(f'/api/v1/tickets/{ticket_id}', headers=(login or self.boss).headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def clocks(self, ticket_id, login=None) -> dict:
        """``{metric: clock}`` of the ticket's latest clock per metric."""
        return {c['metric']: c for c in self.read(ticket_id, login)['sla']['clocks']}

    def patch(self, ticket_id, login=None, **body):
        response = self.http.patch(f'/api/v1/tickets/{ticket_id}', json=body, headers=(login or self.boss).headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def reply(self, ticket_id, login=None, body='Thanks, we are on it.', **extra):
        response = self.http.post(f'/api/v1/tickets/{ticket_id}/messages', json={'body': body, **extra},
                                  headers=(login or self.boss).headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def events(self, ticket_id, kind) -> list:
        return [e for e in self.read(ticket_id)['events'] if e['kind'] == kind]

    @staticmethod
    def sweep():
        db.session.commit()
        return timers.sweep()


@pytest.fixture
def sla(make, http):
    return Sla(make, http)


def at(text: str, zone: str = 'America/Chicago') -> datetime:
    """An aware instant from a local wall time: ``at('2026-11-20 17:55')``."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


def travel(text: str, zone: str = 'America/Chicago') -> datetime:
    when = at(text, zone)
    clock.travel_to(when, freeze=True)
    return when


def utc(value: str) -> datetime:
    return datetime.fromisoformat(value)


def chat_body(conversation='conv-1', text='Hola, mi módem no conecta desde ayer', message_id=None, **extra):
    body = {'conversation_id': conversation, 'message_id': message_id or f'{conversation}-{text[:8]}',
            'text': text, 'visitor': {'id': f'v-{conversation}', 'name': 'Ana'}, **extra}
    return json.dumps(body).encode()

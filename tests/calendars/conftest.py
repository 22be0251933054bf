"""An admin and helpers to call ``/api/v1/calendars``; the clock can be set to an instant."""
from dataclasses import dataclass
from datetime import datetime

import pytest

from support.calendars.signals import calendar_changed
from support.core import clock

OFFICE_DAYS = ('mon', 'tue', 'wed', 'thu', 'fri')


def office_hours(start='09:00', end='18:00', days=OFFICE_DAYS) -> dict:
    return {day: [{'start': start, 'end': end}] for day in days}


def calendar_body(**overrides) -> dict:
    body = {'name': 'Central office', 'timezone': 'America/Chicago', 'hours': office_hours()}
    body.update(overrides)
    return body


@dataclass
class Calendars:
    http: object
    admin: object
    spanish_admin: object

    def post(self, body, who=None, **kwargs):
        return self.http.post('/api/v1/calendars', json=body, headers=(who or self.admin).headers, **kwargs)

    def create(self, **overrides) -> dict:
        response = self.post(calendar_body(**overrides))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def get(self, path='', who=None, **kwargs):
        return self.http.get(f'/api/v1/calendars{path}', headers=(who or self.admin).headers, **kwargs)

    def patch(self, calendar_id, body, who=None):
        return self.http.patch(f'/api/v1/calendars/{calendar_id}', json=body, headers=(who or self.admin).headers)

    def delete(self, calendar_id, who=None):
        return self.http.delete(f'/api/v1/calendars/{calendar_id}', headers=(who or self.admin).headers)

    def due(self, calendar_id, start, seconds, who=None):
        return self.get(f'/{calendar_id}/due', who, query_string={'start': start, 'seconds': seconds})

    def import_ics(self, calendar_id, text, who=None, content_type='text/calendar', **query):
        headers = {**(who or self.admin).headers, 'Content-Type': content_type}
        data = text.encode() if isinstance(text, str) else text
        return self.http.post(f'/api/v1/calendars/{calendar_id}/holidays/import', data=data, headers=headers,
                              query_string=query)


@pytest.fixture
def cal(http, make):
    return Calendars(http, make.agent(role='admin', site='Polanco'),
                     make.agent(role='admin', languages=['es'], locale='es'))


@pytest.fixture
def changes():
    """``calendar_changed`` as it is sent: ``(calendar_id, times_changed)``."""
    sent = []

    def record(calendar_id, calendar=None, times_changed=None, **kwargs):
        sent.append((calendar_id, times_changed))
    calendar_changed.connect(record)
    yield sent
    calendar_changed.disconnect(record)


def set_clock(moment: datetime) -> None:
    """Move the test clock so that now is ``moment`` (aware)."""
    clock.advance(moment - clock.utcnow())


def fields_of(response) -> dict:
    assert response.status_code == 422, (response.status_code, response.get_json())
    return response.get_json()['error']['fields']

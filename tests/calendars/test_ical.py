"""Importing holiday dates from iCalendar (RFC 5545) files through ``POST /api/v1/calendars/<id>/holidays/import``."""
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from .conftest import fields_of, set_clock

CHICAGO = ZoneInfo('America/Chicago')


def ics(*events: str) -> str:
    body = ''.join(f'BEGIN:VEVENT\r\nUID:{n}@test\r\nDTSTAMP:20260101T000000Z\r\n{event.strip()}\r\nEND:VEVENT\r\n'
                   for n, event in enumerate(events))
    return f'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//holidays//EN\r\n{body}END:VCALENDAR\r\n'


def lines(*parts: str) -> str:
    return '\r\n'.join(parts)


@pytest.fixture
def office(cal):
    set_clock(datetime(2026, 6, 1, 12, tzinfo=CHICAGO))  # the import window is 2025-01-01 .. 2031-12-31
    return cal.create(holidays=[{'date': '2026-12-24', 'name': 'Nochebuena (manual)'}])


def imported(cal, office, text, **query):
    response = cal.import_ics(office['id'], text, **query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def holidays(result) -> dict:
    return {h['date']: (h['name'], h['source']) for h in result['calendar']['holidays']}


def test_all_day_multi_day_and_timed_events(cal, office):
    result = imported(cal, office, ics(
        lines('DTSTART;VALUE=DATE:20261225', 'DTEND;VALUE=DATE:20261227', 'SUMMARY:Navidad'),
        lines('DTSTART;VALUE=DATE:20260916', 'SUMMARY:Independencia'),
        lines('DTSTART;TZID=America/Chicago:20261231T140000', 'DTEND;TZID=America/Chicago:20261231T180000',
              'SUMMARY:Cierre temprano'),
        lines('DTSTART:20270102T050000Z', 'DTEND:20270102T053000Z', 'SUMMARY:Mantenimiento'),  # 1 January, Chicago
        lines('DTSTART;VALUE=DATE:20261224', 'SUMMARY:Nochebuena'),
        lines('DTSTART;VALUE=DATE:20260301', 'DURATION:P2D', 'SUMMARY:Inventario')))
    assert result['added'] == ['2026-03-01', '2026-03-02', '2026-09-16', '2026-12-25', '2026-12-26', '2026-12-31',
                               '2027-01-01']
    assert result['kept_manual'] == ['2026-12-24'] and result['updated'] == [] and result['removed'] == []
    assert (result['first'], result['last']) == ('2025-01-01', '2031-12-31')
    found = holidays(result)
    assert found['2026-12-24'] == ('Nochebuena (manual)', 'manual')
    assert found['2026-12-26'] == ('Navidad', 'ical') and '2026-12-27' not in found  # DTEND is exclusive
    assert found['2027-01-01'] == ('Mantenimiento', 'ical')
    assert result['calendar']['version'] == 2


def test_imported_holidays_close_the_calendar(cal, office):
    imported(cal, office, ics(lines('DTSTART;VALUE=DATE:20261225', 'DTEND;VALUE=DATE:20261227', 'SUMMARY:Navidad')))
    due = cal.due(office['id'], '2026-12-23T17:00:00', 3 * 3600).get_json()
    assert due['due_at_local'] == '2026-12-28T11:00:00-06:00'  # 24 manual, 25-26 imported, 26-27 weekend


def test_recurring_events_are_expanded_within_the_window(cal, office):
    result = imported(cal, office, ics(
        lines('DTSTART;VALUE=DATE:19900101', 'RRULE:FREQ=YEARLY', 'SUMMARY:Año Nuevo'),
        lines('DTSTART;VALUE=DATE:20261126', 'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH;COUNT=3', 'SUMMARY:Thanksgiving'),
        lines('DTSTART;VALUE=DATE:20260501', 'RRULE:FREQ=YEARLY;UNTIL=20280501T000000Z', 'EXDATE;VALUE=DATE:20270501',
              'RDATE;VALUE=DATE:20260505', 'SUMMARY:Trabajo'),
        lines('DTSTART;VALUE=DATE:20260703', 'RRULE:FREQ=YEARLY', 'STATUS:CANCELLED', 'SUMMARY:Cancelado')))
    found = holidays(result)
    assert [day for day, (name, _) in found.items() if name == 'Año Nuevo'] == [
        f'{year}-01-01' for year in range(2025, 2032)]
    assert [day for day, (name, _) in found.items() if name == 'Thanksgiving'] == ['2026-11-26', '2027-11-25',
                                                                                  '2028-11-23']
    assert [day for day, (name, _) in found.items() if name == 'Trabajo'] == ['2026-05-01', '2026-05-05',
                                                                             '2028-05-01']
    assert not [name for name, _ in found.values() if name == 'Cancelado']
    assert result['outside_window'] == 2025 - 1990  # New Year's Days before 2025


def test_the_window_follows_the_setting(cal, office, app):
    app.config['SUPPORT_CALENDAR_ICAL_YEARS'] = 1
    try:
        result = imported(cal, office, ics(lines('DTSTART;VALUE=DATE:20260101', 'RRULE:FREQ=YEARLY', 'SUMMARY:Año')))
    finally:
        app.config.pop('SUPPORT_CALENDAR_ICAL_YEARS')
    assert result['added'] == ['2026-01-01', '2027-01-01'] and result['last'] == '2027-12-31'


def test_reimporting_changes_nothing_and_replace_removes_what_the_file_dropped(cal, office, changes):
    first = ics(lines('DTSTART;VALUE=DATE:20261225', 'SUMMARY:Navidad'),
                lines('DTSTART;VALUE=DATE:20261231', 'SUMMARY:Fin de año'))
    version = imported(cal, office, first)['calendar']['version']
    changes.clear()
    again = imported(cal, office, first)
    assert again['added'] == again['updated'] == [] and again['calendar']['version'] == version and changes == []
    second = ics(lines('DTSTART;VALUE=DATE:20261225', 'SUMMARY:Natividad'))
    merged = imported(cal, office, second)
    assert merged['updated'] == ['2026-12-25'] and '2026-12-31' in holidays(merged)
    assert changes == [(office['id'], False)]  # a new name closes no other date
    replaced = imported(cal, office, second, replace='true')
    assert replaced['removed'] == ['2026-12-31']
    assert holidays(replaced) == {'2026-12-24': ('Nochebuena (manual)', 'manual'), '2026-12-25': ('Natividad', 'ical')}
    assert changes[-1] == (office['id'], True)


def test_a_json_body_works_too(cal, office, http):
    response = http.post(f'/api/v1/calendars/{office["id"]}/holidays/import', headers=cal.admin.headers,
                         json={'ics': ics(lines('DTSTART;VALUE=DATE:20260916', 'SUMMARY:Independencia'))})
    assert response.status_code == 200 and response.get_json()['added'] == ['2026-09-16']
    assert fields_of(http.post(f'/api/v1/calendars/{office["id"]}/holidays/import', headers=cal.admin.headers,
                               json={'file': 'x'})) == {'ics': ['Missing data for required field.'],
                                                        'file': ['Unknown field.']}
    bad_json = http.post(f'/api/v1/calendars/{office["id"]}/holidays/import', data='{',
                         headers={**cal.admin.headers, 'Content-Type': 'application/json'})
    assert bad_json.status_code == 400 and bad_json.get_json()['error']['code'] == 'invalid_json'


@pytest.mark.parametrize('text, message', [
    ('hello, world', 'This is not an iCalendar file (RFC 5545).'),
    ('', 'This is not an iCalendar file (RFC 5545).'),
    ('BEGIN:VEVENT\r\nDTSTART:20260101T000000Z\r\nEND:VEVENT\r\n',
     'This is not an iCalendar file (RFC 5545): it must start with BEGIN:VCALENDAR.'),
    (ics(), 'The file holds no events.'),
    (ics('SUMMARY:Sin fecha'), 'Event “Sin fecha”: it has no start (DTSTART).'),
    (ics(lines('DTSTART:20260101T000000Z', 'RRULE:FREQ=SECONDLY', 'SUMMARY:Cada segundo')),
     'Event “Cada segundo”: it repeats more often than daily (SECONDLY); holidays are whole days.'),
    (ics(lines('DTSTART;VALUE=DATE:20260101', 'RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30', 'SUMMARY:Nunca')),
     'Event “Nunca”: its rule names a day that no month has.'),
    (ics(lines('DTSTART;VALUE=DATE:20260101', 'RRULE:FREQ=YEARLY;BYMONTH=13', 'SUMMARY:Mes 13')),
     'Event “Mes 13”: its rule names a month that does not exist.'),
    (ics(lines('DTSTART;VALUE=DATE:20260101', 'RRULE:FREQ=YEARLY;BYWEEKNO=60', 'SUMMARY:Semana')),
     'Event “Semana”: its rule uses BYWEEKNO, which holiday files do not need.'),
    (ics(lines('DTSTART;VALUE=DATE:20260101', 'RRULE:FREQ=DAILY;INTERVAL=7', 'SUMMARY:Semanal')),
     'Event “Semanal”: a holiday cannot repeat every few days.'),
    (ics(lines('DTSTART;VALUE=DATE:20260101', 'DTEND:20260102T000000Z', 'SUMMARY:Mixto')),
     'Event “Mixto”: its start and end are not both dates or both date-times.'),
    (ics(lines('DTSTART;VALUE=DATE:20260101', 'DTEND;VALUE=DATE:20280101', 'SUMMARY:Largo')),
     'Event “Largo”: it lasts more than 366 days.'),
    (ics(lines('DTSTART;VALUE=DATE:20260101', 'RRULE:FREQ=DAILY', 'SUMMARY:Diario')),
     'The file closes 2191 dates; at most 2000 can be imported at once.'),
])
def test_garbage_is_refused_with_a_422_and_nothing_saved(cal, office, text, message):
    started = time.perf_counter()
    response = cal.import_ics(office['id'], text)
    assert time.perf_counter() - started < 3
    assert fields_of(response) == {'ics': [message]}
    assert response.get_json()['error']['message'] == 'The iCalendar file cannot be imported.'
    assert cal.get(f'/{office["id"]}').get_json()['version'] == office['version']


def test_a_bad_event_among_good_ones_saves_nothing(cal, office):
    response = cal.import_ics(office['id'], ics(lines('DTSTART;VALUE=DATE:20261225', 'SUMMARY:Navidad'),
                                                'SUMMARY:Roto'))
    assert fields_of(response) == {'ics': ['Event “Roto”: it has no start (DTSTART).']}
    assert [h['date'] for h in cal.get(f'/{office["id"]}').get_json()['holidays']] == ['2026-12-24']


def test_refusals_in_spanish(cal, office):
    response = cal.import_ics(office['id'], ics('SUMMARY:Sin fecha'), who=cal.spanish_admin)
    assert response.get_json()['error']['message'] == 'El archivo iCalendar no se puede importar.'
    assert fields_of(response) == {'ics': ['Evento «Sin fecha»: no tiene inicio (DTSTART).']}
    garbage = cal.import_ics(office['id'], 'hola', who=cal.spanish_admin)
    assert fields_of(garbage) == {'ics': ['Esto no es un archivo iCalendar (RFC 5545).']}
    latin1 = cal.import_ics(office['id'], 'Año'.encode('latin-1'), who=cal.spanish_admin)
    assert fields_of(latin1) == {'ics': ['El archivo no es texto en la codificación declarada (UTF-8 si no se indica).']}


def test_other_content_types_and_calendars(cal, office):
    assert cal.import_ics(office['id'], 'x', content_type='text/csv').status_code == 415
    assert cal.import_ics(999, ics(lines('DTSTART;VALUE=DATE:20261225', 'SUMMARY:x'))).status_code == 404
    latin1 = ics(lines('DTSTART;VALUE=DATE:20261212', 'SUMMARY:Día de la Virgen')).encode('latin-1')
    declared = cal.import_ics(office['id'], latin1, content_type='text/calendar; charset=latin-1')
    assert declared.status_code == 200 and holidays(declared.get_json())['2026-12-12'][0] == 'Día de la Virgen'


def test_a_calendar_holds_at_most_2000_holidays(cal, office):
    def yearly_days(month):
        return lines(f'DTSTART;VALUE=DATE:2025{month:02d}01', f'RRULE:FREQ=DAILY;BYMONTH={month}', f'SUMMARY:M{month}')
    imported(cal, office, ics(*(yearly_days(month) for month in range(1, 6))))   # about 1,060 dates
    too_many = cal.import_ics(office['id'], ics(*(yearly_days(month) for month in range(6, 12))))
    assert fields_of(too_many) == {'ics': ['A calendar holds at most 2000 holidays.']}

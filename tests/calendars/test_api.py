"""``/api/v1/calendars`` and a site's calendar, through HTTP: shapes, changes, refusals, in English and Spanish."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from support.calendars import operations
from support.calendars.operations import business_calendar

from .conftest import calendar_body, fields_of, office_hours, set_clock

CHICAGO = ZoneInfo('America/Chicago')


# --- access ------------------------------------------------------------------------------

def test_only_admins_use_calendars(cal, http, make):
    calendar = cal.create()
    supervisor = make.agent(role='supervisor')
    base = f'/api/v1/calendars/{calendar["id"]}'
    calls = [('get', '/api/v1/calendars'), ('post', '/api/v1/calendars'), ('get', base), ('patch', base),
             ('delete', base), ('get', f'{base}/holidays'), ('post', f'{base}/holidays/import'),
             ('get', f'{base}/due?seconds=60')]
    for method, url in calls:
        assert getattr(http, method)(url, headers=supervisor.headers, json={}).status_code == 403, url
        assert getattr(http, method)(url, json={}).status_code == 401, url
    assert cal.get(f'/{calendar["id"]}').status_code == 200


# --- create and read ---------------------------------------------------------------------

def test_create_then_read_in_the_calendars_zone(cal):
    set_clock(datetime(2026, 3, 6, 17, 55, tzinfo=CHICAGO))
    created = cal.create(holidays=[{'date': '2026-12-24', 'name': 'Nochebuena'}],
                         holiday_sets=[{'country': 'mx', 'subdivision': None}, {'country': 'US', 'subdivision': 'tx'}],
                         hours={**office_hours(), 'sat': [{'start': '07:00', 'end': '14:00'},
                                                          {'start': '15:00', 'end': '24:00'}]})
    assert created['version'] == 1 and created['used_by'] == []
    assert created['hours']['mon'] == [{'start': '09:00', 'end': '18:00'}]
    assert created['hours']['sat'] == [{'start': '07:00', 'end': '14:00'}, {'start': '15:00', 'end': '24:00'}]
    assert created['hours']['sun'] == []
    assert created['holidays'] == [{'date': '2026-12-24', 'name': 'Nochebuena', 'source': 'manual'}]
    assert created['holiday_sets'] == [{'country': 'MX', 'subdivision': None}, {'country': 'US', 'subdivision': 'TX'}]
    assert created['open_now'] is True
    assert created['next_change_at'] == '2026-03-06T18:00:00-06:00'
    read = cal.get(f'/{created["id"]}').get_json()
    assert {key: read[key] for key in created if key not in ('open_now', 'next_change_at')} == {
        key: created[key] for key in created if key not in ('open_now', 'next_change_at')}
    assert [c['name'] for c in cal.get().get_json()] == ['Central office']


def test_open_now_and_next_change_follow_the_clock_across_dst(cal):
    calendar = cal.create()
    set_clock(datetime(2026, 3, 7, 12, tzinfo=CHICAGO))  # Saturday, before the clocks spring forward
    read = cal.get(f'/{calendar["id"]}').get_json()
    assert read['open_now'] is False
    assert read['next_change_at'] == '2026-03-09T09:00:00-05:00'


def test_closed_and_24x7_calendars(cal):
    closed = cal.create(name='Closed', hours={})
    always = cal.create(name='Always', hours={day: [{'start': '00:00', 'end': '24:00'}]
                                              for day in ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')})
    assert closed['open_now'] is False and closed['next_change_at'] is None
    assert always['open_now'] is True and always['next_change_at'] is None
    never = cal.due(closed['id'], '2026-03-06T17:55:00', 3600).get_json()
    assert never['never'] is True and never['due_at'] is None and never['due_at_local'] is None
    across_dst = cal.due(always['id'], '2026-03-07T12:00:00', 86400).get_json()
    assert across_dst['due_at_local'] == '2026-03-08T13:00:00-05:00'


# --- the due preview -------------------------------------------------------------------------

def test_the_issues_example_friday_1755_plus_four_hours_is_monday_1255(cal):
    calendar = cal.create()
    due = cal.due(calendar['id'], '2026-03-06T17:55:00', 4 * 3600).get_json()
    assert due == {'start': '2026-03-06T17:55:00-06:00', 'seconds': 14400, 'never': False,
                   'due_at': '2026-03-09T17:55:00+00:00', 'due_at_local': '2026-03-09T12:55:00-05:00'}
    same_instant_in_utc = cal.due(calendar['id'], '2026-03-06T23:55:00Z', 4 * 3600).get_json()
    assert same_instant_in_utc['due_at'] == due['due_at']


def test_a_us_holiday_is_skipped(cal):
    calendar = cal.create(holiday_sets=[{'country': 'US'}])
    due = cal.due(calendar['id'], '2026-01-16T17:55:00', 4 * 3600).get_json()  # Monday 19 January: MLK Day
    assert due['due_at_local'] == '2026-01-20T12:55:00-06:00'
    assert cal.due(calendar['id'], '2026-11-25T17:00:00', 2 * 3600).get_json()['due_at_local'] == (
        '2026-11-27T10:00:00-06:00')  # Thanksgiving


def test_the_due_preview_starts_now_without_a_start(cal):
    calendar = cal.create()
    set_clock(datetime(2026, 3, 9, 10, tzinfo=CHICAGO))
    due = cal.get(f'/{calendar["id"]}/due', query_string={'seconds': 3600}).get_json()
    assert due['due_at_local'].startswith('2026-03-09T11:00:0')


def test_bad_due_previews(cal):
    calendar = cal.create()
    for query, field in (({'seconds': -1}, 'seconds'), ({'seconds': 367 * 86400}, 'seconds'), ({}, 'seconds'),
                         ({'seconds': 60, 'start': 'friday'}, 'start')):
        assert field in fields_of(cal.get(f'/{calendar["id"]}/due', query_string=query))
    assert cal.due(999, '2026-03-06T17:55:00', 60).status_code == 404


# --- changes ---------------------------------------------------------------------------------

def test_patch_changes_only_the_days_sent_and_bumps_the_version(cal, changes):
    calendar = cal.create()
    changes.clear()
    response = cal.patch(calendar['id'], {'hours': {'sat': [{'start': '10:00', 'end': '14:00'}], 'fri': []}})
    assert response.status_code == 200, response.get_json()
    patched = response.get_json()
    assert patched['hours']['sat'] == [{'start': '10:00', 'end': '14:00'}] and patched['hours']['fri'] == []
    assert patched['hours']['mon'] == [{'start': '09:00', 'end': '18:00'}]
    assert patched['version'] == 2 and patched['updated_at'] > calendar['updated_at']
    assert changes == [(calendar['id'], True)]
    assert cal.due(calendar['id'], '2026-03-06T08:00:00', 3600).get_json()['due_at_local'] == (
        '2026-03-07T11:00:00-06:00')  # closed on Friday now, open on Saturday


def test_a_rename_changes_no_times_and_an_empty_change_changes_nothing(cal, changes):
    calendar = cal.create(holidays=[{'date': '2026-12-24', 'name': 'Nochebuena'}])
    changes.clear()
    renamed = cal.patch(calendar['id'], {'name': 'Chicago office'}).get_json()
    assert renamed['name'] == 'Chicago office' and renamed['version'] == 2
    assert changes == [(calendar['id'], False)]
    same = cal.patch(calendar['id'], {'hours': {'mon': [{'start': '09:00', 'end': '18:00'}]},
                                      'holidays': [{'date': '2026-12-24', 'name': 'Nochebuena'}]}).get_json()
    assert same['version'] == 2 and same['updated_at'] == renamed['updated_at'] and len(changes) == 1
    assert fields_of(cal.patch(calendar['id'], {}))['_schema']


def test_changing_the_zone_moves_the_hours_to_the_new_wall_clock(cal, changes):
    calendar = cal.create()
    moved = cal.patch(calendar['id'], {'timezone': 'America/Mexico_City'}).get_json()
    assert moved['timezone'] == 'America/Mexico_City' and moved['hours']['mon'] == [{'start': '09:00', 'end': '18:00'}]
    assert cal.due(calendar['id'], '2026-03-06T17:55:00', 4 * 3600).get_json()['due_at'] == (
        '2026-03-09T18:55:00+00:00')  # Mexico City stays at UTC-6 in 2026
    assert changes[-1] == (calendar['id'], True)


def test_holiday_lists_are_replaced_whole_and_keep_their_source(cal):
    calendar = cal.create(holidays=[{'date': '2026-12-24', 'name': 'Nochebuena'},
                                    {'date': '2026-12-31', 'name': 'Fin de año', 'source': 'ical'}])
    kept = cal.patch(calendar['id'], {'holidays': [{'date': '2026-12-31', 'name': 'Nochevieja'},
                                                   {'date': '2026-12-25', 'name': 'Navidad'}]}).get_json()
    assert kept['holidays'] == [{'date': '2026-12-25', 'name': 'Navidad', 'source': 'manual'},
                                {'date': '2026-12-31', 'name': 'Nochevieja', 'source': 'ical'}]
    assert cal.patch(calendar['id'], {'holiday_sets': [{'country': 'MX'}]}).get_json()['holiday_sets'] == [
        {'country': 'MX', 'subdivision': None}]
    assert cal.patch(calendar['id'], {'holiday_sets': [], 'holidays': []}).get_json()['holidays'] == []


def test_the_cached_calendar_follows_each_change(cal):
    calendar = cal.create()
    cached = business_calendar(calendar['id'])
    assert business_calendar(calendar['id']) is cached
    cal.patch(calendar['id'], {'hours': {'sat': [{'start': '10:00', 'end': '12:00'}]}})
    changed = business_calendar(calendar['id'])
    assert changed is not cached and changed.weekly[5] == ((36000, 43200),)
    operations._cache[calendar['id']] = (1, float('inf'), cached)  # as if another process had changed it
    assert business_calendar(calendar['id']) is cached
    assert business_calendar(calendar['id'], fresh=True).weekly[5] == ((36000, 43200),)


# --- refusals: 422 per field, in English or Spanish, nothing half-saved --------------------------

BAD = {'name': '', 'timezone': 'Mars/Olympus_Mons',
       'hours': {'mon': [{'start': '25:00', 'end': '9:5'}],
                 'tue': [{'start': '09:00', 'end': '12:00'}, {'start': '11:00', 'end': '13:00'}],
                 'wed': [{'start': '12:00', 'end': '11:00'}], 'thu': [{'start': '24:00', 'end': '24:00'}]},
       'holidays': [{'date': '2026-12-24', 'name': 'Nochebuena'}, {'date': '2026-12-24', 'name': 'Otra'},
                    {'date': '2026-02-30', 'name': 'x'}],
       'holiday_sets': [{'country': 'ZZ'}, {'country': 'MX', 'subdivision': 'CMX'}, {'country': 'US', 'subdivision': 'XX'},
                        {'country': 'US'}, {'country': 'us'}]}


def test_bad_calendars_are_refused_field_by_field_in_english(cal):
    fields = fields_of(cal.post(BAD))
    assert fields['name'] == ['Length must be between 1 and 120.']
    assert fields['timezone'] == ['Unknown time zone.']
    hours = fields['hours']
    assert hours['mon']['0'] == {'start': ['Not a time of day: use HH:MM, from 00:00 to 24:00.'],
                                 'end': ['Not a time of day: use HH:MM, from 00:00 to 24:00.']}
    assert hours['tue'] == ['09:00–12:00 and 11:00–13:00 overlap.']
    assert hours['wed']['0'] == {'end': ['Must be after the start.']}
    assert hours['thu']['0'] == {'start': ['24:00 can only end an interval.']}
    assert fields['holidays'] == {'1': {'date': ['This date is already in the list.']},
                                  '2': {'date': ['Not a valid date.']}}
    sets = fields['holiday_sets']
    assert sets['0'] == {'country': ['Unknown country: use a two-letter code the holidays library knows, '
                                     'such as MX or US.']}
    assert sets['1'] == {'subdivision': ['MX has no subdivisions; leave it empty.']}
    assert sets['2']['subdivision'][0].startswith('Unknown subdivision of US; one of: AK, AL, ')
    assert sets['4'] == {'country': ['This set is already in the list.']}
    assert cal.get().get_json() == []


def test_bad_calendars_are_refused_in_spanish(cal):
    response = cal.post(BAD, who=cal.spanish_admin)
    assert response.get_json()['error']['message'] == 'Algunos campos no son válidos.'
    fields = fields_of(response)
    assert fields['timezone'] == ['Zona horaria desconocida.']
    assert fields['hours']['mon']['0']['start'] == ['No es una hora del día: use HH:MM, de 00:00 a 24:00.']
    assert fields['hours']['tue'] == ['09:00–12:00 y 11:00–13:00 se superponen.']
    assert fields['hours']['wed']['0'] == {'end': ['Debe ser posterior al inicio.']}
    assert fields['hours']['thu']['0'] == {'start': ['24:00 solo puede terminar un intervalo.']}
    assert fields['holidays']['1'] == {'date': ['Esta fecha ya está en la lista.']}
    assert fields['holidays']['2'] == {'date': ['No es una fecha válida.']}
    assert fields['holiday_sets']['1'] == {'subdivision': ['MX no tiene subdivisiones; déjelo vacío.']}
    assert fields['holiday_sets']['0']['country'][0].startswith('País desconocido')
    assert fields['holiday_sets']['2']['subdivision'][0].startswith('Subdivisión desconocida de US')


@pytest.mark.parametrize('hours', [{'mon': {'start': '09:00'}}, {'mon': [{'start': '09:00'}]},
                                   {'funday': []}, {'mon': [{'start': 9, 'end': 18}]}, {'mon': ['09:00-18:00']}])
def test_malformed_hours(cal, hours):
    assert 'hours' in fields_of(cal.post(calendar_body(hours=hours)))


def test_a_name_already_taken(cal):
    cal.create()
    other = cal.create(name='Other')
    taken = cal.post(calendar_body())
    assert taken.status_code == 409 and taken.get_json()['error']['code'] == 'calendar_name_taken'
    assert taken.get_json()['error']['fields'] == {'name': ['Already taken.']}
    renamed = cal.patch(other['id'], {'name': 'Central office', 'hours': {'sat': [{'start': '10:00', 'end': '12:00'}]}})
    assert renamed.status_code == 409
    assert cal.get(f'/{other["id"]}').get_json()['hours']['sat'] == []  # nothing half-saved
    assert cal.get(f'/{other["id"]}').get_json()['version'] == 1


def test_a_bad_patch_saves_nothing(cal):
    calendar = cal.create()
    fields = fields_of(cal.patch(calendar['id'], {'name': 'Renamed', 'hours': {'sat': [{'start': '10:00',
                                                                                          'end': '09:00'}]}}))
    assert list(fields) == ['hours']
    read = cal.get(f'/{calendar["id"]}').get_json()
    assert read['name'] == 'Central office' and read['version'] == 1 and read['hours']['sat'] == []


def test_unknown_calendars(cal):
    assert cal.get('/999').status_code == 404
    assert cal.patch(999, {'name': 'x'}).status_code == 404
    assert cal.delete(999).get_json()['error']['code'] == 'calendar_not_found'


# --- delete -------------------------------------------------------------------------------

def test_delete_a_calendar_nothing_uses(cal, changes):
    calendar = cal.create()
    changes.clear()
    assert cal.delete(calendar['id']).status_code == 204
    assert cal.get(f'/{calendar["id"]}').status_code == 404
    assert changes == [(calendar['id'], True)]
    assert business_calendar(calendar['id']) is None


def test_delete_is_refused_while_a_site_or_a_policy_uses_the_calendar(cal, http, monkeypatch):
    calendar = cal.create()
    polanco = _site(http, cal, 'Polanco')
    assert http.patch(f'/api/v1/sites/{polanco}', json={'calendar_id': calendar['id']},
                      headers=cal.admin.headers).status_code == 200
    monkeypatch.setattr(operations, '_user_finders', [*operations._user_finders,
                                                      lambda calendar_id: ['SLA policy “E-mail” of Acme']])
    refused = cal.delete(calendar['id'])
    assert refused.status_code == 409
    error = refused.get_json()['error']
    assert error['code'] == 'calendar_in_use'
    assert error['fields'] == {'used_by': ['site Polanco', 'SLA policy “E-mail” of Acme']}
    assert error['message'] == ('Calendar “Central office” is in use: site Polanco; SLA policy “E-mail” of Acme.')
    spanish = cal.delete(calendar['id'], who=cal.spanish_admin).get_json()['error']
    assert spanish['fields']['used_by'][0] == 'sitio Polanco' and spanish['message'].startswith('El calendario')
    assert cal.get(f'/{calendar["id"]}').get_json()['used_by'] == ['site Polanco', 'SLA policy “E-mail” of Acme']


# --- holidays of a year ------------------------------------------------------------------------

def test_holidays_of_a_year_in_the_readers_language(cal):
    calendar = cal.create(timezone='America/Mexico_City', holiday_sets=[{'country': 'MX'}, {'country': 'US'}],
                          holidays=[{'date': '2026-12-24', 'name': 'Nochebuena'},
                                    {'date': '2027-01-06', 'name': 'Reyes'}])
    english = cal.get(f'/{calendar["id"]}/holidays', query_string={'year': 2026}).get_json()
    spanish = cal.get(f'/{calendar["id"]}/holidays', who=cal.spanish_admin, query_string={'year': 2026}).get_json()
    september = [h for h in english if h['date'] == '2026-09-16']
    assert september == [{'date': '2026-09-16', 'name': 'Independence Day', 'source': 'library',
                          'country': 'MX', 'subdivision': None}]
    assert [h['name'] for h in spanish if h['date'] == '2026-09-16'] == ['Día de la Independencia']
    thanksgiving = [h for h in spanish if h['date'] == '2026-11-26']
    assert thanksgiving[0]['name'] == 'Thanksgiving Day'  # the library has no Spanish for the US
    assert {'date': '2026-12-24', 'name': 'Nochebuena', 'source': 'manual', 'country': None,
            'subdivision': None} in english
    assert not [h for h in english if h['date'].startswith('2027')]
    assert [h['date'] for h in english] == sorted(h['date'] for h in english)
    next_year = cal.get(f'/{calendar["id"]}/holidays', query_string={'year': 2027}).get_json()
    assert {'date': '2027-01-06', 'name': 'Reyes', 'source': 'manual', 'country': None,
            'subdivision': None} in next_year
    assert 'year' in fields_of(cal.get(f'/{calendar["id"]}/holidays', query_string={'year': 30000}))


def test_holidays_default_to_this_year_in_the_calendars_zone(cal):
    calendar = cal.create(holiday_sets=[{'country': 'US'}])
    set_clock(datetime(2027, 1, 1, 3, tzinfo=timezone.utc))  # still 2026 in Chicago
    assert all(h['date'].startswith('2026') for h in cal.get(f'/{calendar["id"]}/holidays').get_json())


# --- sites ------------------------------------------------------------------------------------

def _site(http, cal, name):
    return {s['name']: s['id'] for s in http.get('/api/v1/sites', headers=cal.admin.headers).get_json()}[name]


def test_a_site_uses_a_calendar_and_changes_its_zone(cal, http, make):
    calendar = cal.create()
    polanco = _site(http, cal, 'Polanco')
    agent = make.agent(site='Polanco')
    patched = http.patch(f'/api/v1/sites/{polanco}', json={'calendar_id': calendar['id'], 'timezone': 'America/Tijuana'},
                         headers=cal.admin.headers)
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json() == {'id': polanco, 'name': 'Polanco', 'timezone': 'America/Tijuana',
                                  'calendar_id': calendar['id'],
                                  'calendar': {'id': calendar['id'], 'name': 'Central office',
                                               'timezone': 'America/Chicago'}}
    assert http.get(f'/api/v1/sites/{polanco}', headers=agent.headers).get_json() == patched.get_json()
    assert http.get('/api/v1/sites', headers=agent.headers).get_json() == [patched.get_json()]
    assert cal.get(f'/{calendar["id"]}').get_json()['used_by'] == ['site Polanco']
    cleared = http.patch(f'/api/v1/sites/{polanco}', json={'calendar_id': None}, headers=cal.admin.headers).get_json()
    assert cleared['calendar'] is None and cleared['calendar_id'] is None
    assert cal.delete(calendar['id']).status_code == 204


def test_site_changes_are_checked(cal, http, make):
    polanco = _site(http, cal, 'Polanco')
    make.agent(site='Tijuana')
    url = f'/api/v1/sites/{polanco}'
    agent = make.agent(site='Polanco')
    assert http.patch(url, json={'calendar_id': 1}, headers=agent.headers).status_code == 403
    missing = http.patch(url, json={'calendar_id': 999}, headers=cal.spanish_admin.headers)
    assert fields_of(missing) == {'calendar_id': ['El calendario 999 no existe.']}
    assert fields_of(http.patch(url, json={'timezone': 'Mars/Base'}, headers=cal.admin.headers)) == {
        'timezone': ['Unknown time zone.']}
    assert fields_of(http.patch(url, json={}, headers=cal.admin.headers))['_schema']
    taken = http.patch(url, json={'name': 'Tijuana'}, headers=cal.admin.headers)
    assert taken.status_code == 409 and taken.get_json()['error']['fields'] == {'name': ['Already taken.']}
    assert http.get('/api/v1/sites/999', headers=agent.headers).status_code == 404
    assert http.patch('/api/v1/sites/999', json={'name': 'x'}, headers=cal.admin.headers).status_code == 404
    assert fields_of(http.post('/api/v1/sites', json={'name': 'Monterrey', 'calendar_id': 999},
                               headers=cal.admin.headers)) == {'calendar_id': ['Calendar 999 does not exist.']}
    calendar = cal.create()
    created = http.post('/api/v1/sites', json={'name': 'Monterrey', 'calendar_id': calendar['id']},
                        headers=cal.admin.headers)
    assert created.status_code == 201 and created.get_json()['calendar']['name'] == 'Central office'
    assert http.get(url, headers=agent.headers).get_json()['name'] == 'Polanco'


def test_a_user_no_finder_names_is_still_caught_by_the_foreign_key(cal, http, monkeypatch):
    calendar = cal.create()
    polanco = _site(http, cal, 'Polanco')
    http.patch(f'/api/v1/sites/{polanco}', json={'calendar_id': calendar['id']}, headers=cal.admin.headers)
    monkeypatch.setattr(operations, '_user_finders', [])  # as if the site had not said it uses calendars
    refused = cal.delete(calendar['id'], who=cal.spanish_admin)
    assert refused.status_code == 409 and refused.get_json()['error'] == {
        'code': 'calendar_in_use', 'message': 'El calendario «Central office» está en uso.', 'fields': {'used_by': []}}
    assert cal.get(f'/{calendar["id"]}').status_code == 200
    assert http.get(f'/api/v1/sites/{polanco}', headers=cal.admin.headers).get_json()['calendar_id'] == calendar['id']

"""The figures of the scripted day (tests/reports/scripted_day.py), worked out by hand, to the second,
through the HTTP API, on SQLite and on PostgreSQL (the same expected numbers on both backends).

By hand (UTC instants; New York fell back at 06:00 UTC, the local day runs 04:00Z-05:00Z next day):
- created: T1..T6 = 6 (T0 was created the evening before); answered (accepted offers): T1, T2, T5 = 3;
  resolved events: T0, T1, T2, T3 twice, T5 = 6; reopened: T3 = 1; transferred: T2 (A -> B) = 1;
  abandoned: T4 = 1.
- ASA (answer clocks of answered contacts): 20, 30, 70 -> median 30, mean 40,
  p90 = 30 + 0.8 * (70 - 30) = 62 (position 0.9 * 2 = 1.8); business the same (24x7 chat and phone).
- First response: calendar 20, 60, 120, 7200 -> median 90, mean 1850, p90 = 120 + 0.7 * 7080 = 5076;
  business 0, 20, 60, 120 -> median 40, mean 50, p90 = 60 + 0.7 * 60 = 102. T4's cancelled clock excluded.
- Next response: T3 only, 1800 calendar, 0 business.
- Resolution: calendar 320, 900, 5400, 6000, 14400 -> median 5400, mean 5404, p90 = 6000 + 0.6 * 8400 = 11040;
  business 0, 320, 900, 2400, 5400 -> median 900, mean 1804, p90 = 2400 + 0.6 * 3000 = 4200.
- SLA: answer met T2, T5; breached T1 and T4 (abandoned after its target) -> 0.5; first response met 4,
  breached 1 (T6, still running) -> 0.8; next response 1/0; resolution 5/0.
- Service level: offered 3 answered + 1 abandoned = 4, within target 2 -> 0.5.
- Handle (talk + wrap-up per assignment): B on T1 530 + 40; A on T2 30 + 20; B on T2 300 + 60;
  A on T3 12600 + 0; A on T5 300 (the call) + 60 -> handled 5, talk 13760, wrap-up 180, AHT 2788.
- Presence over the 25-hour day: A available 25200 + 30600 = 55800, away 1800, offline 3600 + 28800 = 32400;
  B available 18000 + 3900 = 21900, offline 28500 + 36000 = 64500 (nothing before its first change).
  Occupancy A = (12930 + 80) / 55800 = 0.2332; B = (830 + 100) / 21900 = 0.0425.
"""
import csv
import io

import pytest

from support.core import clock

from .scripted_day import DAY_END, DAY_START, NOW, build

RANGE = {'from': DAY_START.isoformat(), 'to': DAY_END.isoformat()}


@pytest.fixture
def day(app, make):
    from support.clients.models import Client
    from support.core.extensions import db
    creds = make.client(slug='cable-us')
    client = db.session.get(Client, creds.id)
    client.timezone = 'America/New_York'
    db.session.commit()
    a = make.agent(email='a@example.com')
    b = make.agent(email='b@example.com')
    clock.travel_to(NOW, freeze=True)
    return build(creds.id, a.id, b.id), creds


@pytest.fixture
def boss(make):
    return make.agent(role='supervisor')


def _get(http, who, path, **args):
    response = http.get(path, query_string={**RANGE, **args}, headers=who.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_days_ticket_figures(http, day, boss):
    rows = _get(http, boss, '/api/v1/reports/tickets', client='cable-us')['rows']
    assert len(rows) == 1
    row = rows[0]
    assert {k: row[k] for k in ('created', 'answered', 'resolved', 'reopened', 'transferred', 'abandoned')} == {
        'created': 6, 'answered': 3, 'resolved': 6, 'reopened': 1, 'transferred': 1, 'abandoned': 1}
    assert [row['asa_median_s'], row['asa_mean_s'], row['asa_p90_s']] == [30, 40, 62]
    assert [row['asa_median_business_s'], row['asa_mean_business_s'], row['asa_p90_business_s']] == [30, 40, 62]
    assert [row['first_response_median_s'], row['first_response_mean_s'], row['first_response_p90_s']] == \
        [90, 1850, 5076]
    assert [row['first_response_median_business_s'], row['first_response_mean_business_s'],
            row['first_response_p90_business_s']] == [40, 50, 102]
    assert [row['next_response_median_s'], row['next_response_p90_s'], row['next_response_mean_business_s']] == \
        [1800, 1800, 0]
    assert [row['resolution_median_s'], row['resolution_mean_s'], row['resolution_p90_s']] == [5400, 5404, 11040]
    assert [row['resolution_median_business_s'], row['resolution_mean_business_s'],
            row['resolution_p90_business_s']] == [900, 1804, 4200]
    assert (row['sla_answer_met'], row['sla_answer_breached'], row['sla_answer_met_share']) == (2, 2, 0.5)
    assert (row['sla_first_response_met'], row['sla_first_response_breached'],
            row['sla_first_response_met_share']) == (4, 1, 0.8)
    assert (row['sla_next_response_met'], row['sla_resolution_met'], row['sla_resolution_breached']) == (1, 5, 0)
    assert (row['service_level_offered'], row['service_level_within'], row['service_level']) == (4, 2, 0.5)
    assert (row['handled'], row['talk_mean_s'], row['wrapup_mean_s'], row['aht_s']) == (5, 2752, 36, 2788)


def test_the_repeated_hour_is_two_buckets_and_the_day_has_25_hours(http, day, boss):
    hours = _get(http, boss, '/api/v1/reports/intervals', client='cable-us', interval='1h')
    created = {r['interval_start']: r['created'] for r in hours['rows'] if r['created']}
    assert created == {'2026-11-01T01:00:00-04:00': 1, '2026-11-01T01:00:00-05:00': 1,
                       '2026-11-01T08:00:00-05:00': 1, '2026-11-01T13:00:00-05:00': 1,
                       '2026-11-01T15:00:00-05:00': 1, '2026-11-01T18:00:00-05:00': 1}
    assert hours['timezone'] == 'America/New_York'
    days = _get(http, boss, '/api/v1/reports/tickets', client='cable-us', interval='1day')['rows']
    assert [(r['interval_start'], r['created'], r['resolved']) for r in days] == \
        [('2026-11-01T00:00:00-04:00', 6, 6)]


def test_groups_by_channel_language_and_disposition(http, day, boss):
    rows = _get(http, boss, '/api/v1/reports/tickets', group='channel,language')['rows']
    created = {(r['channel'], r['language']): r['created'] for r in rows}
    assert created == {('chat', 'en'): 2, ('chat', 'es'): 1, ('email', 'en'): 1, ('email', 'es'): 1,
                       ('phone', 'en'): 1}
    chat_en = next(r for r in rows if (r['channel'], r['language']) == ('chat', 'en'))
    assert (chat_en['asa_mean_s'], chat_en['service_level_offered'], chat_en['abandoned']) == (70, 2, 1)
    by_code = _get(http, boss, '/api/v1/reports/tickets', disposition='billing')['rows'][0]
    assert (by_code['created'], by_code['handled'], by_code['aht_s']) == (1, 1, 570)


def test_agent_figures(http, day, boss):
    data = _get(http, boss, '/api/v1/reports/agents')
    rows = {r['agent']: r for r in data['rows']}
    a, b = rows['a@example.com'], rows['b@example.com']
    assert (a['handled'], a['handling_s'], a['available_s'], a['away_s'], a['offline_s'], a['occupancy']) == \
        (3, 13010, 55800, 1800, 32400, 0.2332)
    assert a['aht_s'] == round(13010 / 3, 3)
    assert (b['handled'], b['handling_s'], b['available_s'], b['away_s'], b['offline_s'], b['occupancy'],
            b['aht_s']) == (2, 930, 21900, 0, 64500, 0.0425, 465)


def test_agent_presence_per_half_hour(http, day, boss):
    data = _get(http, boss, '/api/v1/reports/agents', interval='30min', agent=str(day[0].a),
                tz='America/New_York')
    rows = {r['interval_start']: r for r in data['rows']}
    assert len(rows) == 50, sorted(rows)  # 25 hours
    first = rows['2026-11-01T01:00:00-04:00']
    assert (first['available_s'], first['offline_s']) == (1800, 0)
    assert rows['2026-11-01T00:30:00-04:00']['offline_s'] == 1800
    assert rows['2026-11-01T07:00:00-05:00']['away_s'] == 1800
    assert rows['2026-11-01T01:00:00-05:00']['handled'] == 1   # T2, accepted at 01:20:30 EST
    assert sum(r['available_s'] for r in rows.values()) == 55800


def test_csv_has_translated_headers_and_plain_numbers(http, day, boss):
    response = http.get('/api/v1/reports/tickets', query_string={**RANGE, 'format': 'csv', 'group': 'channel'},
                        headers={**boss.headers, 'Accept-Language': 'es'})
    assert response.status_code == 200
    assert response.mimetype == 'text/csv'
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert table[0][:3] == ['Canal', 'Creado', 'Atendidos']
    chat = next(r for r in table[1:] if r[0] == 'chat')
    header = table[0]
    assert chat[header.index('Creado')] == '3'
    assert chat[header.index('Nivel de servicio')] == '0.3333'
    accept = http.get('/api/v1/reports/tickets', query_string=RANGE, headers={**boss.headers, 'Accept': 'text/csv'})
    assert accept.mimetype == 'text/csv' and accept.get_data(as_text=True).startswith('Created,Answered')

"""SLA clocks through the API: due times on business calendars, pauses, stops, re-plans."""
from datetime import date, timedelta

from support.core import clock

from .conftest import at, travel, utc

H = 3600


def test_friday_evening_email_is_due_monday_after_noon(sla, make):
    creds = make.client(slug='acme')
    sla.policy('acme', name='E-mail 4 h', calendar_id=sla.calendar(), targets={'first_response': 4 * H})
    travel('2026-11-20 17:55')  # a Friday, Central time
    ticket = sla.ticket(creds, channel='email')
    first = sla.clocks(ticket['id'])['first_response']
    assert utc(first['due_at']) == at('2026-11-23 12:55')  # 5 min on Friday, 3 h 55 on Monday
    assert first['status'] == 'active' and first['target_seconds'] == 4 * H
    assert first['policy']['name'] == 'E-mail 4 h'
    assert ticket['sla_due_at'] is not None and utc(ticket['sla_due_at']) == at('2026-11-23 12:55')


def test_a_us_holiday_is_skipped(sla, make):
    creds = make.client(slug='acme')
    sla.policy('acme', calendar_id=sla.calendar(sets=[('US', None)]), targets={'first_response': 4 * H})
    travel('2026-11-25 16:00')  # the Wednesday before Thanksgiving
    ticket = sla.ticket(creds, channel='email')
    # 2 h on Wednesday, Thanksgiving Thursday closed, 2 h on Friday
    assert utc(sla.clocks(ticket['id'])['first_response']['due_at']) == at('2026-11-27 11:00')


def test_an_explicit_holiday_and_a_mexican_one_are_skipped(sla, make):
    creds = make.client(slug='acme')
    calendar = sla.calendar(zone='America/Mexico_City', sets=[('MX', None)],
                            holidays=[(date(2026, 9, 17), 'Puente')])
    sla.policy('acme', calendar_id=calendar, targets={'resolution': 10 * H})
    travel('2026-09-15 13:00', 'America/Mexico_City')
    ticket = sla.ticket(creds, channel='email')
    # 5 h on the 15th, the 16th (Independencia) and 17th closed, 5 h on Friday the 18th
    assert utc(sla.clocks(ticket['id'])['resolution']['due_at']) == at('2026-09-18 14:00', 'America/Mexico_City')


def test_a_pending_pause_stops_the_clock_and_the_customer_reply_resumes_it(sla, make, http):
    creds = make.client(slug='acme')
    sla.policy('acme', calendar_id=sla.calendar(), targets={'resolution': 8 * H})
    travel('2026-11-16 09:00')  # Monday
    ticket = _chat(http, creds, 'Hola, mi módem no conecta desde ayer', 'm1')
    assert utc(sla.clocks(ticket)['resolution']['due_at']) == at('2026-11-16 17:00')
    travel('2026-11-16 10:00')
    sla.reply(ticket, status='pending')
    paused = sla.clocks(ticket)['resolution']
    assert paused['status'] == 'paused' and paused['due_at'] is None and paused['paused_at'] is not None
    assert paused['business_seconds_used'] == 1 * H
    assert sla.read(ticket)['sla']['state'] == 'paused'
    travel('2026-11-16 13:30')
    assert sla.clocks(ticket)['resolution']['business_seconds_used'] == 1 * H  # it stood still
    assert _chat(http, creds, 'Ya lo reinicié y sigue igual', 'm2') == ticket  # the customer writes back
    resumed = sla.clocks(ticket)['resolution']
    assert sla.read(ticket)['status'] == 'open' and resumed['status'] == 'active'
    # 7 h left at 13:30: 4 h 30 on Monday, 2 h 30 on Tuesday (the pause moved it 3 h 30 of open time)
    assert utc(resumed['due_at']) == at('2026-11-17 11:30')
    assert resumed['business_seconds_used'] == 1 * H


def _chat(http, creds, text, message_id, conversation='conv-1') -> int:
    from .conftest import chat_body
    raw = chat_body(conversation=conversation, text=text, message_id=message_id)
    response = http.post('/api/v1/channels/chat/messages', data=raw, headers=creds.headers(raw))
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()['ticket']


def test_an_acknowledgement_does_not_count_as_first_response(sla, make, http, app, monkeypatch):
    from tests.outbound.servers import SMTPServer
    server = SMTPServer().start()
    try:
        monkeypatch.setitem(app.config, 'SUPPORT_SMTP_URL', server.url)
        creds = make.client(slug='acme')
        sla.policy('acme', targets={'first_response': 2 * H})
        ticket = sla.ticket(creds, channel='email')
        detail = sla.read(ticket['id'])
        automatic = [m for m in detail['messages'] if m['kind'] == 'outbound']
        assert automatic and automatic[0]['author']['type'] == 'system'  # the acknowledgement went out
        assert sla.clocks(ticket['id'])['first_response']['status'] == 'active'
        clock.advance(timedelta(minutes=30))
        sla.reply(ticket['id'])
        first = sla.clocks(ticket['id'])['first_response']
        assert first['status'] == 'met' and first['business_seconds_used'] == 30 * 60
    finally:
        server.stop()


def test_due_times_hold_across_the_us_fall_back_weekend(sla, make):
    creds = make.client(slug='acme')
    sla.policy('acme', calendar_id=sla.calendar(), targets={'first_response': 4 * H})
    travel('2026-10-30 17:00')  # Friday, CDT (UTC-5); clocks go back on Sunday 2026-11-01
    ticket = sla.ticket(creds, channel='email')
    due = utc(sla.clocks(ticket['id'])['first_response']['due_at'])
    assert due == at('2026-11-02 12:00')  # 1 h on Friday, 3 h on Monday, now CST (UTC-6)
    assert due.utcoffset().total_seconds() == 0 and due.hour == 18


def test_due_times_hold_across_mexicos_last_spring_forward(sla, make):
    creds = make.client(slug='acme')
    mexico = sla.calendar(zone='America/Mexico_City')
    sla.policy('acme', calendar_id=mexico, targets={'resolution': 4 * H})
    travel('2021-04-02 17:00', 'America/Mexico_City')  # Friday, CST; Mexico went to CDT on 2021-04-04
    ticket = sla.ticket(creds, channel='email')
    due = utc(sla.clocks(ticket['id'])['resolution']['due_at'])
    assert due == at('2021-04-05 12:00', 'America/Mexico_City') and due.hour == 17  # CDT: UTC-5


def test_a_policy_without_calendar_counts_every_second(sla, make):
    creds = make.client(slug='acme')
    sla.policy('acme', targets={'resolution': 24 * H})
    travel('2026-03-07 12:00')  # across the US spring-forward night: still 24 real hours
    ticket = sla.ticket(creds, channel='email')
    due = utc(sla.clocks(ticket['id'])['resolution']['due_at'])
    assert due == at('2026-03-08 13:00')  # 24 real hours: the wall clock jumped an hour in between

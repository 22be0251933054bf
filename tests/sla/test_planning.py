"""The pure part of SLA: which policy applies, when a clock is due, and the next timer."""
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from support.calendars.hours import DAY, BusinessCalendar
from support.sla.models import Metric
from support.sla.planning import PolicyFacts, TicketFacts, choose_policy, matches, metrics_at_opening, next_timer, plan

UTC = timezone.utc
H = 3600


def policy(id_, position, **conditions):
    return PolicyFacts(id=id_, name=f'p{id_}', position=position, calendar_id=None,
                       conditions={k: frozenset(v) for k, v in conditions.items()},
                       targets={Metric.first_response: H, Metric.answer: 30})


def test_every_condition_must_hold_and_a_list_means_one_of():
    ticket = TicketFacts(priority='high', channel='chat', language='es', product='modem', tags=frozenset({'vip'}))
    assert matches({}, ticket)
    assert matches({'priority': frozenset({'urgent', 'high'}), 'language': frozenset({'es'})}, ticket)
    assert not matches({'priority': frozenset({'urgent'})}, ticket)
    assert matches({'tags': frozenset({'vip', 'outage'})}, ticket)
    assert not matches({'tags': frozenset({'outage'})}, ticket)
    assert not matches({'product': frozenset({'router'})}, ticket)
    assert not matches({'product': frozenset({'router'})}, TicketFacts('high', 'chat', 'es'))


def test_the_first_policy_by_position_wins_whatever_the_list_order():
    ticket = TicketFacts(priority='urgent', channel='email', language='en')
    policies = [policy(1, 2), policy(2, 0, channel=['chat']), policy(3, 1, priority=['urgent'])]
    assert choose_policy(policies, ticket).id == 3
    assert choose_policy(policies, TicketFacts('low', 'chat', 'en')).id == 2
    assert choose_policy([], ticket) is None


def test_answer_clocks_only_on_real_time_channels():
    p = policy(1, 0)
    assert metrics_at_opening(p, 'chat') == [Metric.first_response, Metric.answer]
    assert metrics_at_opening(p, 'email') == [Metric.first_response]


def test_due_and_warning_shift_by_the_paused_business_seconds():
    nine_to_five = BusinessCalendar('UTC', (((9 * H, 17 * H),),) * 5 + ((), ()))
    monday = datetime(2026, 11, 16, 9, tzinfo=UTC)
    assert plan(monday, 4 * H, 0, 75, nine_to_five) == (monday + timedelta(hours=4), monday + timedelta(hours=3))
    # paused for 5 business hours: 4 + 5 = 9 h of open time from Monday 09:00 is Tuesday 10:00;
    # the warning, 3 + 5 = 8 h, falls exactly on Monday's closing time
    due, warn = plan(monday, 4 * H, 5 * H, 75, nine_to_five)
    assert due == datetime(2026, 11, 17, 10, tzinfo=UTC) and warn == datetime(2026, 11, 16, 17, tzinfo=UTC)
    assert plan(monday, H, 0, 75, BusinessCalendar('UTC', ((),) * 7)) == (None, None)  # never due
    assert plan(monday, DAY, 0, 50, None) == (monday + timedelta(days=1), monday + timedelta(hours=12))


def test_the_next_timer_skips_stopped_paused_and_fired_clocks():
    t = datetime(2026, 11, 16, 9, tzinfo=UTC)

    def clock(**kw):
        base = dict(stopped_at=None, paused_at=None, breached_at=None, warned_at=None, warn_at=None, due_at=None)
        return SimpleNamespace(**{**base, **kw})
    clocks = [clock(warn_at=t + timedelta(minutes=5), due_at=t + timedelta(minutes=9)),
              clock(warn_at=t + timedelta(minutes=1), due_at=t + timedelta(minutes=2), stopped_at=t),
              clock(warn_at=t, due_at=t + timedelta(minutes=3), paused_at=t),
              clock(warn_at=t, warned_at=t, due_at=t + timedelta(minutes=4))]
    assert next_timer(clocks) == t + timedelta(minutes=4)
    assert next_timer(clocks[1:3]) is None

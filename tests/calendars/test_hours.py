"""Business-time arithmetic to the second: hours, midnight, holidays, DST in the US and Mexico."""
import time
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings, strategies as st

from support.calendars.hours import (DAY, BusinessCalendar, Holidays, add_business_time, business_seconds_between,
                                     format_clock, is_open, next_change, parse_clock, periods_from)

UTC = timezone.utc
HOUR = 3600
CHICAGO, NEW_YORK = ZoneInfo('America/Chicago'), ZoneInfo('America/New_York')
MEXICO_CITY, TIJUANA = ZoneInfo('America/Mexico_City'), ZoneInfo('America/Tijuana')
DAYS = ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')


def calendar(zone='America/Chicago', holidays=Holidays(), **hours):
    """``calendar(mon='09:00-18:00', tue='07:00-14:00 15:00-22:00')``; a day not given is closed."""
    weekly = tuple(tuple(tuple(parse_clock(clock) for clock in span.split('-'))
                         for span in hours.get(day, '').split()) for day in DAYS)
    return BusinessCalendar(zone, weekly, holidays)


def weekdays(span, **extra):
    return {day: span for day in DAYS[:5]} | extra


def at(zone, *parts, fold=0):
    return datetime(*parts, tzinfo=zone, fold=fold)


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


NINE_TO_SIX = calendar(**weekdays('09:00-18:00'))


# --- the example and ordinary weeks ---------------------------------------------

def test_friday_1755_central_plus_four_business_hours_is_monday_1255():
    due = add_business_time(at(CHICAGO, 2026, 3, 6, 17, 55), 4 * HOUR, NINE_TO_SIX)
    assert due == at(CHICAGO, 2026, 3, 9, 12, 55)
    assert due.astimezone(UTC) == utc(2026, 3, 9, 17, 55)  # the weekend moved the clocks: CDT now
    assert due.tzinfo is CHICAGO
    assert business_seconds_between(at(CHICAGO, 2026, 3, 6, 17, 55), due, NINE_TO_SIX) == 4 * HOUR


def test_the_answer_comes_in_the_zone_of_the_start():
    start = at(CHICAGO, 2026, 3, 6, 17, 55).astimezone(UTC)
    assert add_business_time(start, 4 * HOUR, NINE_TO_SIX) == utc(2026, 3, 9, 17, 55)
    assert add_business_time(start, 4 * HOUR, NINE_TO_SIX).tzinfo is UTC


def test_ending_exactly_at_closing_time_is_that_closing_time():
    assert add_business_time(at(CHICAGO, 2026, 3, 6, 17), HOUR, NINE_TO_SIX) == at(CHICAGO, 2026, 3, 6, 18)
    assert add_business_time(at(CHICAGO, 2026, 3, 6, 17), HOUR + 1, NINE_TO_SIX) == at(CHICAGO, 2026, 3, 9, 9, 0, 1)


def test_a_start_while_closed_counts_from_the_next_opening():
    assert add_business_time(at(CHICAGO, 2026, 3, 7, 11), 60, NINE_TO_SIX) == at(CHICAGO, 2026, 3, 9, 9, 1)
    assert add_business_time(at(CHICAGO, 2026, 3, 9, 8, 59, 59), 2, NINE_TO_SIX) == at(CHICAGO, 2026, 3, 9, 9, 0, 2)
    assert business_seconds_between(at(CHICAGO, 2026, 3, 7, 0), at(CHICAGO, 2026, 3, 9, 0), NINE_TO_SIX) == 0


def test_a_week_of_nine_to_six_is_45_hours_and_zero_seconds_is_the_start():
    start = at(CHICAGO, 2026, 1, 12, 0)
    assert business_seconds_between(start, start + timedelta(days=7), NINE_TO_SIX) == 45 * HOUR
    assert business_seconds_between(start + timedelta(days=7), start, NINE_TO_SIX) == 0
    assert add_business_time(at(CHICAGO, 2026, 1, 10, 3), 0, NINE_TO_SIX) == at(CHICAGO, 2026, 1, 10, 3)


def test_several_intervals_a_day():
    phones = calendar(**{day: '07:00-14:00 15:00-22:00' for day in DAYS})
    monday = (2026, 1, 12)
    assert add_business_time(at(CHICAGO, *monday, 13, 30), HOUR, phones) == at(CHICAGO, *monday, 15, 30)
    assert add_business_time(at(CHICAGO, *monday, 14, 30), 60, phones) == at(CHICAGO, *monday, 15, 1)
    assert add_business_time(at(CHICAGO, *monday, 21, 30), HOUR, phones) == at(CHICAGO, 2026, 1, 13, 7, 30)
    assert business_seconds_between(at(CHICAGO, *monday, 6), at(CHICAGO, *monday, 23), phones) == 14 * HOUR
    assert not is_open(at(CHICAGO, *monday, 14), phones) and is_open(at(CHICAGO, *monday, 15), phones)
    assert next_change(at(CHICAGO, *monday, 14, 10), phones) == at(CHICAGO, *monday, 15)


def test_intervals_are_merged_when_they_overlap_or_touch():
    merged = BusinessCalendar('UTC', (((9 * HOUR, 12 * HOUR), (11 * HOUR, 14 * HOUR), (14 * HOUR, 15 * HOUR)),)
                              + ((),) * 6)
    assert merged.weekly[0] == ((9 * HOUR, 15 * HOUR),)
    with pytest.raises(ValueError):
        BusinessCalendar('UTC', (((10 * HOUR, 9 * HOUR),),) + ((),) * 6)
    with pytest.raises(ValueError):
        BusinessCalendar('UTC', (((0, DAY + 1),),) + ((),) * 6)


# --- midnight ------------------------------------------------------------------------------

def test_an_interval_may_end_at_2400():
    evenings = calendar(mon='18:00-24:00')
    assert add_business_time(at(CHICAGO, 2026, 1, 12, 23, 30), 30 * 60, evenings) == at(CHICAGO, 2026, 1, 13, 0, 0)
    assert add_business_time(at(CHICAGO, 2026, 1, 12, 23, 30), 31 * 60, evenings) == at(CHICAGO, 2026, 1, 19, 18, 1)
    assert is_open(at(CHICAGO, 2026, 1, 12, 23, 59, 59), evenings)
    assert not is_open(at(CHICAGO, 2026, 1, 13, 0), evenings)
    assert next_change(at(CHICAGO, 2026, 1, 12, 20), evenings) == at(CHICAGO, 2026, 1, 13, 0)


def test_touching_intervals_make_one_opening_across_midnight():
    nights = calendar(mon='20:00-24:00', tue='00:00-04:00')
    assert add_business_time(at(CHICAGO, 2026, 1, 12, 23), 2 * HOUR, nights) == at(CHICAGO, 2026, 1, 13, 1)
    assert is_open(at(CHICAGO, 2026, 1, 13, 0), nights)
    assert next_change(at(CHICAGO, 2026, 1, 12, 21), nights) == at(CHICAGO, 2026, 1, 13, 4)  # not midnight
    assert next_change(at(CHICAGO, 2026, 1, 13, 5), nights) == at(CHICAGO, 2026, 1, 19, 20)
    assert business_seconds_between(at(CHICAGO, 2026, 1, 12, 12), at(CHICAGO, 2026, 1, 13, 12), nights) == 8 * HOUR


def test_an_opening_across_the_end_of_the_week():
    weekend_nights = calendar(sun='22:00-24:00', mon='00:00-06:00')
    sunday = at(CHICAGO, 2026, 1, 18, 23)
    assert add_business_time(sunday, 3 * HOUR, weekend_nights) == at(CHICAGO, 2026, 1, 19, 2)
    assert next_change(sunday, weekend_nights) == at(CHICAGO, 2026, 1, 19, 6)


# --- holidays ------------------------------------------------------------------------------

def test_explicit_holidays_close_the_whole_local_date():
    christmas_eve = Holidays(frozenset({date(2026, 12, 24)}))
    office = calendar(holidays=christmas_eve, **weekdays('09:00-18:00'))
    assert add_business_time(at(CHICAGO, 2026, 12, 23, 17), 2 * HOUR, office) == at(CHICAGO, 2026, 12, 25, 10)
    assert not is_open(at(CHICAGO, 2026, 12, 24, 12), office)
    assert next_change(at(CHICAGO, 2026, 12, 23, 20), office) == at(CHICAGO, 2026, 12, 25, 9)
    day_after = at(CHICAGO, 2026, 12, 28, 0)
    assert business_seconds_between(at(CHICAGO, 2026, 12, 21, 0), day_after, office) == 4 * 9 * HOUR


def test_mexican_independence_day_from_the_library():
    mexico = Holidays(sets=(('MX', None),))
    assert date(2026, 9, 16) in mexico and date(2026, 9, 17) not in mexico
    office = calendar('America/Mexico_City', mexico, **weekdays('09:00-18:00'))
    due = add_business_time(at(MEXICO_CITY, 2026, 9, 15, 17), 2 * HOUR, office)
    assert due == at(MEXICO_CITY, 2026, 9, 17, 10)


def test_thanksgiving_and_martin_luther_king_day_from_the_library():
    office = calendar(holidays=Holidays(sets=(('US', None),)), **weekdays('09:00-18:00'))
    assert add_business_time(at(CHICAGO, 2026, 11, 25, 17), 2 * HOUR, office) == at(CHICAGO, 2026, 11, 27, 10)
    # Friday 17:55 + 4 hours, with Monday 19 January 2026 a federal holiday: Tuesday 12:55
    assert add_business_time(at(CHICAGO, 2026, 1, 16, 17, 55), 4 * HOUR, office) == at(CHICAGO, 2026, 1, 20, 12, 55)
    assert add_business_time(at(CHICAGO, 2026, 1, 16, 17, 55), 4 * HOUR, NINE_TO_SIX) == at(CHICAGO, 2026, 1, 19,
                                                                                              12, 55)


def test_a_subdivision_adds_its_own_holidays():
    texas = calendar(holidays=Holidays(sets=(('US', 'TX'),)), **weekdays('09:00-18:00'))
    federal = calendar(holidays=Holidays(sets=(('US', None),)), **weekdays('09:00-18:00'))
    friday = at(CHICAGO, 2026, 2, 27, 18)  # Monday 2 March 2026 is Texas Independence Day
    assert add_business_time(friday, HOUR, texas) == at(CHICAGO, 2026, 3, 3, 10)
    assert add_business_time(friday, HOUR, federal) == at(CHICAGO, 2026, 3, 2, 10)


def test_holidays_falling_on_closed_days_change_nothing():
    independence = calendar(holidays=Holidays(frozenset({date(2026, 7, 4)})), **weekdays('09:00-18:00'))  # Saturday
    monday = at(CHICAGO, 2026, 6, 29, 0)
    assert business_seconds_between(monday, monday + timedelta(days=7), independence) == 45 * HOUR


# --- closed and 24x7 -----------------------------------------------------------------------

def test_a_closed_calendar_is_never_due_and_says_so_at_once():
    closed = calendar()
    started = time.perf_counter()
    assert add_business_time(at(CHICAGO, 2026, 1, 12, 9), 60, closed) is None
    assert time.perf_counter() - started < 0.01
    assert closed.is_closed
    assert business_seconds_between(utc(2026, 1, 1), utc(2027, 1, 1), closed) == 0
    assert not is_open(utc(2026, 1, 1), closed) and next_change(utc(2026, 1, 1), closed) is None


def test_hours_that_are_all_holidays_give_none_rather_than_loop():
    mondays = frozenset(date(2026, 1, 5) + timedelta(weeks=n) for n in range(45 * 53))
    only_holiday_mondays = calendar(holidays=Holidays(mondays), mon='09:00-18:00')
    started = time.perf_counter()
    assert add_business_time(at(CHICAGO, 2026, 1, 1, 9), 60, only_holiday_mondays) is None
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize('always', [None, BusinessCalendar.always_open('America/Chicago')])
def test_24x7_counts_real_seconds_across_dst(always):
    saturday_noon = at(CHICAGO, 2026, 3, 7, 12)
    assert add_business_time(saturday_noon, 86400, always) == at(CHICAGO, 2026, 3, 8, 13)
    assert business_seconds_between(saturday_noon, at(CHICAGO, 2026, 3, 8, 12), always) == 23 * HOUR
    assert business_seconds_between(at(CHICAGO, 2026, 10, 31, 12), at(CHICAGO, 2026, 11, 1, 12), always) == 25 * HOUR
    assert is_open(saturday_noon, always) and next_change(saturday_noon, always) is None


def test_every_day_open_with_a_holiday_is_not_24x7():
    almost = calendar(holidays=Holidays(frozenset({date(2026, 12, 25)})), **{day: '00:00-24:00' for day in DAYS})
    assert not almost.is_24x7
    assert add_business_time(at(CHICAGO, 2026, 12, 24, 12), 24 * HOUR, almost) == at(CHICAGO, 2026, 12, 26, 12)
    assert next_change(at(CHICAGO, 2026, 12, 20, 12), almost) == at(CHICAGO, 2026, 12, 25, 0)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        add_business_time(datetime(2026, 1, 12, 9), 60, NINE_TO_SIX)
    with pytest.raises(ValueError):
        business_seconds_between(datetime(2026, 1, 12, 9), utc(2026, 1, 13), None)
    with pytest.raises(ValueError):
        add_business_time(utc(2026, 1, 12), -1, NINE_TO_SIX)


# --- DST in the United States ----------------------------------------------------------------

ALL_DAY_SUNDAY = {'sun': '00:00-24:00'}


@pytest.mark.parametrize('zone', ['America/Chicago', 'America/New_York'])
def test_the_day_clocks_spring_forward_has_23_hours_and_the_day_they_fall_back_25(zone):
    tz, sundays = ZoneInfo(zone), calendar(zone, **ALL_DAY_SUNDAY)
    assert business_seconds_between(at(tz, 2026, 3, 7), at(tz, 2026, 3, 9), sundays) == 23 * HOUR
    assert business_seconds_between(at(tz, 2026, 10, 31), at(tz, 2026, 11, 2), sundays) == 25 * HOUR
    assert business_seconds_between(at(tz, 2026, 3, 14), at(tz, 2026, 3, 16), sundays) == 24 * HOUR
    assert add_business_time(at(tz, 2026, 3, 8), 23 * HOUR, sundays) == at(tz, 2026, 3, 9)
    assert add_business_time(at(tz, 2026, 11, 1), 24 * HOUR, sundays) == at(tz, 2026, 11, 1, 23)


def test_a_weekend_line_through_spring_forward():
    weekend = calendar(sat='00:00-24:00', sun='00:00-24:00', mon='00:00-24:00')
    # 12 h of Saturday + 23 h of Sunday + 1 h of Monday
    assert add_business_time(at(CHICAGO, 2026, 3, 7, 12), 36 * HOUR, weekend) == at(CHICAGO, 2026, 3, 9, 1)


def test_an_interval_starting_inside_the_skipped_hour_opens_when_the_clocks_jump():
    early = calendar(sun='02:30-05:00')
    assert list(periods_from(at(CHICAGO, 2026, 3, 8), early, days=1)) == [(utc(2026, 3, 8, 8), utc(2026, 3, 8, 10))]
    assert add_business_time(at(CHICAGO, 2026, 3, 8, 0), 1, early) == at(CHICAGO, 2026, 3, 8, 3, 0, 1)
    assert business_seconds_between(at(CHICAGO, 2026, 3, 8), at(CHICAGO, 2026, 3, 9), early) == 2 * HOUR
    assert business_seconds_between(at(CHICAGO, 2026, 3, 15), at(CHICAGO, 2026, 3, 16), early) == 9000


def test_an_interval_ending_inside_the_skipped_hour_closes_when_the_clocks_jump():
    night = calendar('America/New_York', sun='01:00-02:30')
    assert business_seconds_between(at(NEW_YORK, 2026, 3, 8), at(NEW_YORK, 2026, 3, 9), night) == HOUR
    assert next_change(at(NEW_YORK, 2026, 3, 8, 1, 30), night) == utc(2026, 3, 8, 7)  # 03:00 EDT


def test_the_repeated_hour_counts_twice():
    repeated = calendar(sun='01:00-02:00')
    assert list(periods_from(at(CHICAGO, 2026, 11, 1), repeated, days=1)) == [(utc(2026, 11, 1, 6), utc(2026, 11, 1, 8))]
    assert business_seconds_between(at(CHICAGO, 2026, 11, 1), at(CHICAGO, 2026, 11, 2), repeated) == 2 * HOUR
    # the second 01:30 (CST) is still open; an hour after the first 01:30 (CDT) is that instant.
    # (Compared in UTC: Python compares two datetimes of one zone by wall clock, blind to the fold.)
    assert is_open(at(CHICAGO, 2026, 11, 1, 1, 30, fold=1), repeated)
    due = add_business_time(at(CHICAGO, 2026, 11, 1, 1, 30), HOUR, repeated)
    assert due.astimezone(UTC) == utc(2026, 11, 1, 7, 30) and due.fold == 1
    late = calendar(sun='01:30-03:00')
    assert business_seconds_between(at(CHICAGO, 2026, 11, 1), at(CHICAGO, 2026, 11, 2), late) == 9000


def test_an_office_week_across_the_fall_change_in_new_york():
    office = calendar('America/New_York', **weekdays('09:00-18:00'))
    due = add_business_time(at(NEW_YORK, 2026, 10, 30, 17), 2 * HOUR, office)
    assert due == at(NEW_YORK, 2026, 11, 2, 10) and due.astimezone(UTC) == utc(2026, 11, 2, 15)


# --- DST in Mexico: until 2022 it changed; since 2023 only the border does -----------------------

def test_mexico_city_changed_clocks_in_2021():
    sundays = calendar('America/Mexico_City', **ALL_DAY_SUNDAY)
    assert business_seconds_between(at(MEXICO_CITY, 2021, 4, 4), at(MEXICO_CITY, 2021, 4, 5), sundays) == 23 * HOUR
    assert business_seconds_between(at(MEXICO_CITY, 2021, 10, 31), at(MEXICO_CITY, 2021, 11, 1), sundays) == 25 * HOUR
    early = calendar('America/Mexico_City', sun='02:30-05:00')
    assert list(periods_from(at(MEXICO_CITY, 2021, 4, 4), early, days=1)) == [
        (utc(2021, 4, 4, 8), utc(2021, 4, 4, 10))]


def test_mexico_city_2023_04_02_is_an_ordinary_day():
    sundays = calendar('America/Mexico_City', **ALL_DAY_SUNDAY)
    assert business_seconds_between(at(MEXICO_CITY, 2023, 4, 2), at(MEXICO_CITY, 2023, 4, 3), sundays) == 24 * HOUR
    assert business_seconds_between(at(MEXICO_CITY, 2023, 10, 29), at(MEXICO_CITY, 2023, 10, 30), sundays) == 24 * HOUR
    early = calendar('America/Mexico_City', sun='02:30-05:00')
    assert list(periods_from(at(MEXICO_CITY, 2023, 4, 2), early, days=1)) == [
        (utc(2023, 4, 2, 8, 30), utc(2023, 4, 2, 11))]
    office = calendar('America/Mexico_City', **weekdays('09:00-18:00'))
    assert add_business_time(at(MEXICO_CITY, 2023, 3, 31, 17, 55), 4 * HOUR, office) == utc(2023, 4, 3, 18, 55)


def test_tijuana_still_follows_the_united_states():
    tijuana = calendar('America/Tijuana', **ALL_DAY_SUNDAY)
    city = calendar('America/Mexico_City', **ALL_DAY_SUNDAY)
    assert business_seconds_between(at(TIJUANA, 2023, 3, 12), at(TIJUANA, 2023, 3, 13), tijuana) == 23 * HOUR
    assert business_seconds_between(at(TIJUANA, 2023, 11, 5), at(TIJUANA, 2023, 11, 6), tijuana) == 25 * HOUR
    assert business_seconds_between(at(MEXICO_CITY, 2023, 3, 12), at(MEXICO_CITY, 2023, 3, 13), city) == 24 * HOUR


# --- clock text -----------------------------------------------------------------------------

def test_clock_text():
    assert parse_clock('09:00') == 9 * HOUR and parse_clock('24:00') == DAY and parse_clock('07:30:15') == 27015
    assert format_clock(9 * HOUR) == '09:00' and format_clock(DAY) == '24:00' and format_clock(27015) == '07:30:15'
    for bad in ('25:00', '9:5', '24:01', '12:60', '12:00:60', '', '1200', '٠٩:٠٠', '-1:00', '12:00:00:00'):
        with pytest.raises(ValueError):
            parse_clock(bad)


# --- properties ------------------------------------------------------------------------------

ZONES = ['UTC', 'America/Chicago', 'America/New_York', 'America/Mexico_City', 'America/Tijuana',
         'Europe/London', 'America/Santiago', 'Australia/Lord_Howe', 'Asia/Kolkata']


@st.composite
def intervals(draw):
    start = draw(st.integers(0, DAY - 1))
    return start, draw(st.integers(start + 1, DAY))


@st.composite
def calendars(draw):
    weekly = tuple(tuple(draw(st.lists(intervals(), max_size=3))) for _ in range(7))
    assume(any(weekly))
    explicit = frozenset(draw(st.lists(st.dates(date(2020, 1, 1), date(2031, 12, 31)), max_size=40)))
    sets = tuple(draw(st.lists(st.sampled_from([('US', None), ('MX', None), ('US', 'TX')]), max_size=2, unique=True)))
    return BusinessCalendar(draw(st.sampled_from(ZONES)), weekly, Holidays(explicit, sets))


instants = st.datetimes(datetime(2020, 1, 1), datetime(2030, 12, 31), timezones=st.sampled_from(
    [UTC, CHICAGO, MEXICO_CITY, ZoneInfo('America/Santiago')]))
amounts = st.integers(0, 30 * DAY)
fast = settings(max_examples=150, deadline=None)


@fast
@given(calendars(), instants, amounts)
def test_adding_then_measuring_gives_back_the_same_seconds(calendar, start, seconds):
    due = add_business_time(start, seconds, calendar)
    assume(due is not None)
    assert business_seconds_between(start, due, calendar) == seconds
    assert due >= start


@fast
@given(calendars(), instants, amounts, amounts)
def test_adding_is_monotonic_and_additive(calendar, start, x, y):
    first, both = add_business_time(start, x, calendar), add_business_time(start, x + y, calendar)
    assume(first is not None and both is not None)
    assert add_business_time(first, y, calendar) == both
    assert add_business_time(start, min(x, y), calendar) <= add_business_time(start, max(x, y), calendar)


@fast
@given(calendars(), instants, st.integers(0, 20 * DAY), st.integers(0, 20 * DAY))
def test_measuring_is_additive_over_consecutive_spans(calendar, start, first, second):
    # In UTC, so + timedelta is real time, not wall time; whole seconds, as the measure floors each span.
    start = start.astimezone(UTC).replace(microsecond=0)
    middle, end = start + timedelta(seconds=first), start + timedelta(seconds=first + second)
    assert (business_seconds_between(start, middle, calendar) + business_seconds_between(middle, end, calendar)
            == business_seconds_between(start, end, calendar))
    assert business_seconds_between(start, end, calendar) <= (end - start).total_seconds()


@fast
@given(calendars(), instants)
def test_is_open_and_next_change_agree_with_the_measure(calendar, moment):
    moment = moment.replace(microsecond=0)
    one_second = business_seconds_between(moment, moment + timedelta(seconds=1), calendar)
    assert one_second == (1 if is_open(moment, calendar) else 0)
    change = next_change(moment, calendar)
    assume(change is not None)
    span = business_seconds_between(moment, change, calendar)
    assert span == (int((change - moment).total_seconds()) if is_open(moment, calendar) else 0)
    assert is_open(change, calendar) != is_open(moment, calendar)

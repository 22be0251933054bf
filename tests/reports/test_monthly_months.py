"""A client's local month in UTC, and which month just ended, across zones and DST changes."""
from datetime import date, datetime, timezone

import pytest

from support.reports.monthly import months

UTC = timezone.utc


def test_a_month_starts_and_ends_at_local_midnight_whatever_the_offset_did_in_between():
    # New York: EST (-5) on 1 March, EDT (-4) from 8 March 2026, so the month is an hour short.
    start, end = months.month_bounds(date(2026, 3, 1), 'America/New_York')
    assert (start, end) == (datetime(2026, 3, 1, 5, tzinfo=UTC), datetime(2026, 4, 1, 4, tzinfo=UTC))
    assert (end - start).total_seconds() == 31 * 86400 - 3600
    # Madrid: CEST (+2) in October until the 25th, CET (+1) after: an hour long.
    start, end = months.month_bounds(date(2026, 10, 1), 'Europe/Madrid')
    assert (start, end) == (datetime(2026, 9, 30, 22, tzinfo=UTC), datetime(2026, 10, 31, 23, tzinfo=UTC))
    # Kathmandu is 5:45 ahead, all year.
    assert months.month_bounds(date(2026, 12, 1), 'Asia/Kathmandu')[0] == datetime(2026, 11, 30, 18, 15, tzinfo=UTC)


@pytest.mark.parametrize('now, zone, ended', [
    # 23:59 on 31 March in New York is 03:59 UTC on 1 April: March has not ended there yet.
    (datetime(2026, 4, 1, 3, 59, tzinfo=UTC), 'America/New_York', date(2026, 2, 1)),
    (datetime(2026, 4, 1, 4, 0, tzinfo=UTC), 'America/New_York', date(2026, 3, 1)),
    # Mexico City has no DST since 2022: UTC-6 all year.
    (datetime(2026, 12, 1, 5, 59, tzinfo=UTC), 'America/Mexico_City', date(2026, 10, 1)),
    (datetime(2026, 12, 1, 6, 5, tzinfo=UTC), 'America/Mexico_City', date(2026, 11, 1)),
    # Madrid's November ended at 23:00 UTC on 30 November.
    (datetime(2026, 11, 30, 23, 5, tzinfo=UTC), 'Europe/Madrid', date(2026, 11, 1)),
    (datetime(2026, 11, 30, 22, 55, tzinfo=UTC), 'Europe/Madrid', date(2026, 10, 1)),
    # January's report is of the previous year's December.
    (datetime(2027, 1, 1, 0, 5, tzinfo=UTC), 'UTC', date(2026, 12, 1)),
])
def test_the_last_ended_month_follows_the_zone(now, zone, ended):
    assert months.last_ended_month(now, zone) == ended
    assert months.has_ended(ended, now, zone)
    assert not months.has_ended(months.next_month(ended), now, zone)


def test_month_text_round_trips_and_rejects_what_is_not_a_month():
    assert months.parse_month('2026-02') == date(2026, 2, 1)
    assert months.month_text(date(2026, 2, 1)) == '2026-02'
    assert months.previous_month(date(2026, 1, 1)) == date(2025, 12, 1)
    assert len(months.days_of(date(2028, 2, 1))) == 29
    for bad in ('2026-13', '2026-1', '26-01', '2026/01', '2026-00', 'x'):
        with pytest.raises(ValueError):
            months.parse_month(bad)

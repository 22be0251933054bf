"""Business-time figures: what ``add_business_time`` and ``business_seconds_between`` cost.

For each calendar, the time of one call for a 4-business-hour target and for a 30-day
target (30 x 24 business hours), from a random start in 2026-2027: "cold" on a freshly
built calendar (no day computed yet; the holiday library's years already loaded) and
"warm" on one whose openings are cached, as the per-process cache in operations keeps them.
No database.

    .venv/bin/python bench/calendars.py [--samples 2000]
"""
import argparse
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from support.calendars.hours import (DAY, BusinessCalendar, Holidays, add_business_time,  # noqa: E402
                                     business_seconds_between)

HOUR = 3600
CALENDARS = {
    'office 9-18 Mon-Fri, Chicago, US holidays':
        lambda: BusinessCalendar('America/Chicago', (((9 * HOUR, 18 * HOUR),),) * 5 + ((), ()),
                                 Holidays(sets=(('US', None),))),
    'phones 07-14 + 15-22 daily, Mexico City, MX holidays':
        lambda: BusinessCalendar('America/Mexico_City', (((7 * HOUR, 14 * HOUR), (15 * HOUR, 22 * HOUR)),) * 7,
                                 Holidays(sets=(('MX', None),))),
    'every day 00-24 but US holidays, New York':
        lambda: BusinessCalendar('America/New_York', (((0, DAY),),) * 7, Holidays(sets=(('US', None),))),
    '24x7 (no calendar)': lambda: None,
}
TARGETS = {'4 h': 4 * HOUR, '30 d': 30 * DAY}


def timed(function, samples):
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e6, sorted(times)[int(0.99 * (len(times) - 1))] * 1e6


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--samples', type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(9)
    starts = [datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=rng.randrange(730 * DAY))
              for _ in range(args.samples)]
    for build in CALENDARS.values():  # load the holiday library's years once, as a running process has
        calendar = build()
        for start in starts[:50]:
            add_business_time(start, 30 * DAY, calendar)
    print(f'{"calendar":<55} {"target":>6} {"cold p50/p99 µs":>18} {"warm p50/p99 µs":>18} {"between warm µs":>16}')
    for name, build in CALENDARS.items():
        warm = build()
        for label, seconds in TARGETS.items():
            picks = iter(starts * 3)
            cold = timed(lambda: add_business_time(next(picks), seconds, build()), args.samples)
            hot = timed(lambda: add_business_time(next(picks), seconds, warm), args.samples)
            pairs = [(start, add_business_time(start, seconds, warm)) for start in starts[:200]]
            between = timed(lambda: business_seconds_between(*pairs[rng.randrange(200)], warm), args.samples)
            print(f'{name:<55} {label:>6} {cold[0]:>8.1f}/{cold[1]:<9.1f} {hot[0]:>8.1f}/{hot[1]:<9.1f} '
                  f'{between[0]:>12.1f}')


if __name__ == '__main__':
    main()

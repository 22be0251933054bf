"""Time buckets of a report (15 min ... 1 month) in a time zone, correct across DST changes.

The zone's UTC offsets over the range are worked out here in Python (``offset_spans``: the
stretches of constant offset, found from ``zoneinfo``); the database then buckets each
instant with integer arithmetic on its epoch second inside its stretch (``bucket_key``), so
no per-row time-zone conversion runs in SQL and both backends agree to the second.

A bucket is named by an integer key:

* 15 min, 30 min, 1 h: the UTC epoch of the bucket's start. The repeated hour of a fall-back
  day is two buckets (01:00-04:00 and 01:00-05:00 in New York); a spring-forward day has no 02:00.
* 1 day: the local midnight as a "local epoch" (epoch seconds of the wall-clock time read as
  UTC), so the two offsets of a DST day fall into one day of 23 or 25 hours.
* 1 month: the UTC epoch of the local first of the month at midnight (a CASE over the months).

``bucket_rows`` lists the buckets of a range as ``(key, start, end)`` with aware UTC datetimes,
and ``label`` turns a key back into the local start as ISO 8601 with its offset.
"""
import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..core.i18n import _l

UTC = timezone.utc
DAY = 86400


class Interval(str, enum.Enum):
    m15 = '15min'
    m30 = '30min'
    h1 = '1h'
    day = '1day'
    month = '1month'

    @property
    def seconds(self) -> int | None:
        return WIDTHS.get(self)

    @property
    def label(self):
        return INTERVAL_LABELS[self]


WIDTHS = {Interval.m15: 900, Interval.m30: 1800, Interval.h1: 3600, Interval.day: DAY}
INTERVAL_LABELS = {Interval.m15: _l('15 minutes'), Interval.m30: _l('30 minutes'), Interval.h1: _l('1 hour'),
                   Interval.day: _l('1 day'), Interval.month: _l('1 month')}


@dataclass(frozen=True)
class Span:
    start: int   # epoch seconds, inclusive
    end: int     # epoch seconds, exclusive
    offset: int  # seconds east of UTC throughout


def _epoch(at: datetime) -> int:
    return int(at.timestamp() // 1)


def _offset(zone: ZoneInfo, at: int) -> int:
    return int(datetime.fromtimestamp(at, zone).utcoffset().total_seconds())


def offset_spans(zone: ZoneInfo, start: datetime, end: datetime) -> list[Span]:
    """The stretches of constant UTC offset of ``zone`` covering [start, end): an hourly scan, then
    bisection to the second of each change."""
    lo, hi = _epoch(start), _epoch(end)
    spans, span_start, current, probe = [], lo, _offset(zone, lo), lo
    while probe < hi:
        step = min(probe + 3600, hi)
        if _offset(zone, step) == current:
            probe = step
            continue
        a, b = probe, step  # offset(a) is the current one, offset(b) is not: b becomes the first second of the next
        while b - a > 1:
            mid = (a + b) // 2
            a, b = (mid, b) if _offset(zone, mid) == current else (a, mid)
        spans.append(Span(span_start, b, current))
        span_start, current, probe = b, _offset(zone, b), b
    if span_start < hi or not spans:
        spans.append(Span(span_start, hi, current))
    return spans


def month_starts(zone: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """The UTC instants of the local firsts of the month from the month holding ``start`` to past ``end``."""
    local = start.astimezone(zone)
    first = date(local.year, local.month, 1)
    out = []
    while True:
        at = datetime.combine(first, time(), zone).astimezone(UTC)
        out.append(at)
        if at >= end:
            return out
        first = date(first.year + (first.month == 12), first.month % 12 + 1, 1)


def bucket_key(ts_epoch, interval: Interval | None, zone: ZoneInfo, start: datetime, end: datetime):
    """The SQL integer key of the bucket of an instant given as epoch seconds (see the module docstring)."""
    if interval is None:
        return sa.literal(0, sa.BigInteger)
    if interval == Interval.month:
        starts = [_epoch(at) for at in month_starts(zone, start, end)]
        whens = [(ts_epoch < nxt, sa.literal(cur, sa.BigInteger)) for cur, nxt in zip(starts, starts[1:])]
        return sa.case(*whens, else_=sa.literal(starts[-1], sa.BigInteger)) if whens else sa.literal(starts[0])
    width = interval.seconds
    parts = []
    for span in offset_spans(zone, start, end):
        if interval == Interval.day:
            expr = (ts_epoch + span.offset) // width * width
        else:
            expr = (ts_epoch + span.offset) // width * width - span.offset
        parts.append((span, expr))
    if len(parts) == 1:
        return parts[0][1]
    return sa.case(*[(ts_epoch < span.end, expr) for span, expr in parts[:-1]], else_=parts[-1][1])


def bucket_rows(interval: Interval | None, zone: ZoneInfo, start: datetime, end: datetime):
    """The buckets meeting [start, end) as ``(key, bucket start, bucket end)`` (aware UTC), in order; a
    generator, so a year of quarter hours is never a list."""
    if interval is None:
        yield 0, start, end
        return
    if interval == Interval.month:
        starts = month_starts(zone, start, end)
        for cur, nxt in zip(starts, starts[1:]):
            if nxt > start and cur < end:
                yield _epoch(cur), cur, nxt
        return
    if interval == Interval.day:
        day = start.astimezone(zone).date()
        while True:
            cur = datetime.combine(day, time(), zone).astimezone(UTC)
            if cur >= end:
                return
            nxt = datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC)
            yield int(datetime.combine(day, time(), UTC).timestamp()), cur, nxt
            day += timedelta(days=1)
    width = interval.seconds
    offset = _offset(zone, _epoch(start))
    key = (_epoch(start) + offset) // width * width - offset
    stop = _epoch(end)
    while key < stop:
        yield key, datetime.fromtimestamp(key, UTC), datetime.fromtimestamp(key + width, UTC)
        key += width


def bucket_start(key: int, interval: Interval | None, zone: ZoneInfo) -> datetime | None:
    """The aware local start of the bucket named ``key``."""
    if interval is None:
        return None
    if interval == Interval.day:
        day = datetime.fromtimestamp(key, UTC).date()
        return datetime.combine(day, time(), zone)
    return datetime.fromtimestamp(key, UTC).astimezone(zone)


def label(key: int, interval: Interval | None, zone: ZoneInfo) -> str | None:
    """ISO 8601 local start with its offset (``2026-11-01T01:00:00-05:00``)."""
    at = bucket_start(key, interval, zone)
    return at.isoformat() if at is not None else None

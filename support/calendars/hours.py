"""Business time: pure arithmetic over a weekly schedule, holidays and a time zone.

No database, no Flask, no clock: everything is given. Instants in and out are aware
datetimes (any zone); the calendar's own zone decides what "Monday 09:00" means.

A calendar is open whenever its wall clock reads inside one of the day's intervals
``[start, end)`` and the local date is not a holiday. Across a DST change that counts
real elapsed seconds: 00:00-24:00 on the day clocks spring forward is 23 hours, and an
interval that starts inside the skipped hour opens at the moment the clocks jump. An
interval is one continuous opening, from the first moment the wall clock reads its start
to the last moment it reads its end: on the day clocks fall back, 00:00-24:00 is 25 hours
and 01:00-02:00 (Central) is two.
Intervals of consecutive days that touch at midnight (Monday 20:00-24:00, Tuesday
00:00-04:00) form one opening that crosses midnight.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Iterator
from zoneinfo import ZoneInfo

DAY = 86400
UTC = timezone.utc
WEEKDAYS = ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')
# How far ahead to look for opening hours before answering "never" (only reached by a calendar
# open a few minutes a year, or one whose every open day is a holiday for decades).
MAX_SCAN_DAYS = 40 * 366
_CACHE_LIMIT = 50_000

Interval = tuple[int, int]  # seconds after local midnight, 0 <= start < end <= 86400
Period = tuple[datetime, datetime]  # an opening, as UTC instants [start, end)


@lru_cache(maxsize=4096)
def _library_year(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    import holidays
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year).keys())


@dataclass(frozen=True)
class Holidays:
    """Closed local dates: explicit ones, and whole sets of the ``holidays`` library (any year)."""

    dates: frozenset[date] = frozenset()
    sets: tuple[tuple[str, str | None], ...] = ()  # (country, subdivision): ('MX', None), ('US', 'TX')

    def __contains__(self, day: date) -> bool:
        return day in self.dates or any(day in _library_year(country, subdivision, day.year)
                                        for country, subdivision in self.sets)

    def __bool__(self) -> bool:
        return bool(self.dates or self.sets)


def _normalise(intervals) -> tuple[Interval, ...]:
    """Sorted, with overlapping or touching intervals merged; empty ones dropped."""
    merged: list[list[int]] = []
    for start, end in sorted((int(s), int(e)) for s, e in intervals):
        if not 0 <= start < end <= DAY:
            raise ValueError(f'interval {start}-{end} is not within one day')
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((s, e) for s, e in merged)


@dataclass(frozen=True)
class BusinessCalendar:
    """A time zone, the opening intervals of each weekday (Monday first) and the holidays."""

    zone: str
    weekly: tuple[tuple[Interval, ...], ...]
    holidays: Holidays = Holidays()
    _periods: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __post_init__(self):
        if len(self.weekly) != 7:
            raise ValueError('a week has 7 days')
        object.__setattr__(self, 'weekly', tuple(_normalise(day) for day in self.weekly))
        ZoneInfo(self.zone)  # an unknown zone fails here, not in the middle of a computation

    @classmethod
    def always_open(cls, zone: str = 'UTC') -> 'BusinessCalendar':
        return cls(zone, ((((0, DAY),),) * 7))

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)  # zoneinfo caches instances by key

    @property
    def is_24x7(self) -> bool:
        return not self.holidays and all(day == ((0, DAY),) for day in self.weekly)

    @property
    def is_closed(self) -> bool:
        """Never open: no interval on any day. Nothing is ever due on such a calendar."""
        return not any(self.weekly)

    def periods_on(self, day: date) -> tuple[Period, ...]:
        """The openings of one local date, as UTC instants (none on a holiday)."""
        found = self._periods.get(day)
        if found is None:
            if len(self._periods) > _CACHE_LIMIT:
                self._periods.clear()
            found = self._periods[day] = self._compute_periods(day)
        return found

    def _compute_periods(self, day: date) -> tuple[Period, ...]:
        if not self.weekly[day.weekday()] or day in self.holidays:
            return ()
        tz = self.tz
        periods = []
        for start, end in self.weekly[day.weekday()]:
            opens, closes = _instant(day, start, tz, earliest=True), _instant(day, end, tz, earliest=False)
            if closes > opens:
                periods.append((opens, closes))
        return tuple(periods)


def _instant(day: date, seconds: int, tz: ZoneInfo, earliest: bool) -> datetime:
    """The UTC instant the wall clock of ``tz`` reads ``day`` + ``seconds``.

    A repeated wall time (clocks going back) gives its first occurrence for an opening and
    its last for a closing; a skipped one (clocks going forward) gives the jump itself.
    """
    wall = datetime.combine(day, time()) + timedelta(seconds=seconds)
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    second = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    if first == second:
        return first
    if first.astimezone(tz).replace(tzinfo=None) == wall:  # exists twice: a fold
        return min(first, second) if earliest else max(first, second)
    return _transition(min(first, second), max(first, second), tz)


def _transition(low: datetime, high: datetime, tz: ZoneInfo) -> datetime:
    """The first second in ``(low, high]`` whose UTC offset is ``high``'s: where the clocks jumped."""
    target = high.astimezone(tz).utcoffset()
    while (high - low) > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).utcoffset() == target:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def _local_date(at: datetime, tz: ZoneInfo) -> date:
    return at.astimezone(tz).date()


def _utc(at: datetime) -> datetime:
    """``at`` in UTC; a naive datetime is refused (it would silently mean the server's zone)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError('an aware datetime is needed')
    return at.astimezone(UTC)


def periods_from(start: datetime, calendar: BusinessCalendar, days: int = MAX_SCAN_DAYS) -> Iterator[Period]:
    """Openings that end after ``start``, in order, never overlapping, for up to ``days`` days.

    One per interval of each local date: an opening that crosses midnight comes out as two
    periods that touch (see ``_openings_from`` for them joined).
    """
    day = _local_date(start, calendar.tz) - timedelta(days=1)
    previous_end = _utc(start)
    for _ in range(days + 2):
        for opens, closes in calendar.periods_on(day):
            opens = max(opens, previous_end)
            if closes > opens:
                yield opens, closes
                previous_end = closes
        day += timedelta(days=1)


def _openings_from(start: datetime, calendar: BusinessCalendar) -> Iterator[Period]:
    """``periods_from`` with touching periods joined, so each end is a real closing time."""
    pending = None
    for opens, closes in periods_from(start, calendar):
        if pending is not None and opens == pending[1]:
            pending = (pending[0], closes)
            continue
        if pending is not None:
            yield pending
        pending = (opens, closes)
    if pending is not None:
        yield pending


def add_business_time(start: datetime, seconds: int | float, calendar: BusinessCalendar | None) -> datetime | None:
    """The instant ``seconds`` of open time after ``start``; ``None`` when that never comes.

    ``calendar=None`` is 24x7. A closed calendar (no opening hours at all) answers ``None``
    at once instead of searching: "never due". Ending exactly at a closing time gives that
    closing time (due Friday 18:00, not Monday 09:00).
    """
    if seconds < 0:
        raise ValueError('seconds must not be negative')
    # In UTC: with the same tzinfo on both sides Python adds wall-clock time across a DST change.
    origin, zone = _utc(start), start.tzinfo
    if calendar is None or calendar.is_24x7:
        return (origin + timedelta(seconds=seconds)).astimezone(zone)
    if seconds == 0:
        return start
    if calendar.is_closed:
        return None
    remaining = timedelta(seconds=seconds)
    for opens, closes in periods_from(origin, calendar):
        available = closes - opens
        if remaining <= available:
            return (opens + remaining).astimezone(zone)
        remaining -= available
    return None


def business_seconds_between(a: datetime, b: datetime, calendar: BusinessCalendar | None) -> int:
    """Whole seconds of open time in ``[a, b)`` (0 when ``b`` is not after ``a``)."""
    a, b = _utc(a), _utc(b)  # same-zone arithmetic in Python ignores DST offsets
    if b <= a:
        return 0
    if calendar is None or calendar.is_24x7:
        return (b - a) // timedelta(seconds=1)
    if calendar.is_closed:
        return 0
    days = (b - a).days + 3
    total = timedelta(0)
    for opens, closes in periods_from(a, calendar, days=days):
        if opens >= b:
            break
        total += min(closes, b) - opens
    return total // timedelta(seconds=1)


def is_open(at: datetime, calendar: BusinessCalendar | None) -> bool:
    """Whether ``at`` falls in an opening (an opening includes its start, not its end)."""
    at = _utc(at)
    if calendar is None or calendar.is_24x7:
        return True
    for opens, closes in periods_from(at, calendar, days=1):
        return opens <= at
    return False


def next_change(at: datetime, calendar: BusinessCalendar | None) -> datetime | None:
    """When the calendar next opens (if closed at ``at``) or closes (if open); None if never."""
    at = _utc(at)
    if calendar is None or calendar.is_24x7 or calendar.is_closed:
        return None
    for opens, closes in _openings_from(at, calendar):
        return closes if opens <= at else opens
    return None


def parse_clock(text: str) -> int:
    """``"HH:MM"`` or ``"HH:MM:SS"`` (``"24:00"`` allowed) as seconds after midnight."""
    parts = text.split(':')
    if len(parts) not in (2, 3) or not all(p.isascii() and p.isdigit() and len(p) == 2 for p in parts):
        raise ValueError(text)
    hours, minutes, seconds = (int(p) for p in (parts + ['00'])[:3])
    if minutes > 59 or seconds > 59 or hours > 24 or (hours == 24 and (minutes or seconds)):
        raise ValueError(text)
    return hours * 3600 + minutes * 60 + seconds


def format_clock(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f'{hours:02d}:{minutes:02d}' + (f':{secs:02d}' if secs else '')

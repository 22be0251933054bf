"""A client's months: where a local calendar month starts and ends in UTC, and which one just ended.

Pure time arithmetic (zoneinfo), so the job's "1st of the month at 00:xx in the client's zone"
is tested across zones and DST changes without a database.
"""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo


def parse_month(text: str) -> date:
    """``'2026-11'`` → ``date(2026, 11, 1)``; ValueError otherwise."""
    year, sep, month = text.partition('-')
    if not (sep and len(year) == 4 and len(month) == 2 and year.isdigit() and month.isdigit()):
        raise ValueError(text)
    return date(int(year), int(month), 1)


def month_text(first: date) -> str:
    return f'{first.year:04d}-{first.month:02d}'


def next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def previous_month(first: date) -> date:
    return date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)


def local_midnight(day: date, zone: str) -> datetime:
    """The UTC instant of 00:00 on ``day`` in ``zone`` (midnight exists in every zone we know of;
    where a DST change skips it, zoneinfo reads the wall time with the offset before the change)."""
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone)).astimezone(timezone.utc)


def month_bounds(first: date, zone: str) -> tuple[datetime, datetime]:
    """``[start, end)`` in UTC of the local calendar month that begins on ``first``."""
    return local_midnight(first, zone), local_midnight(next_month(first), zone)


def local_now(now: datetime, zone: str) -> datetime:
    return now.astimezone(ZoneInfo(zone))


def last_ended_month(now: datetime, zone: str) -> date:
    """The latest local month that has ended at ``now`` in ``zone`` (the one before the current one)."""
    here = local_now(now, zone)
    return previous_month(date(here.year, here.month, 1))


def has_ended(first: date, now: datetime, zone: str) -> bool:
    return month_bounds(first, zone)[1] <= now


def days_of(first: date) -> list[date]:
    """Every day of the month that begins on ``first``."""
    days, day = [], first
    while day.month == first.month:
        days.append(day)
        day += timedelta(days=1)
    return days

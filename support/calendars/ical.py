"""Holiday dates out of an iCalendar (RFC 5545) file, read with ``icalendar``.

Every VEVENT closes the local dates (in the calendar's zone) it touches: an all-day event
its dates up to DTEND (exclusive), a timed event every date between its start and end.
RRULE is expanded with dateutil up to the end of the window; RDATE adds and EXDATE
removes occurrences. Cancelled events are left out. Nothing is kept outside the window.
"""
import re
import time as time_module
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
from dateutil.rrule import rrulestr

from ..core.i18n import _

MAX_DATES = 2000            # dates one file may close inside the window
MAX_OCCURRENCES = 20_000    # occurrences one rule may produce before the window ends
MAX_EVENT_DAYS = 366        # one occurrence longer than this is not a holiday
BUDGET_SECONDS = 5          # for working out repetitions of one file
FREQUENCIES = {'YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY'}
UNSUPPORTED_PARTS = {'BYYEARDAY', 'BYWEEKNO', 'BYSETPOS', 'BYHOUR', 'BYMINUTE', 'BYSECOND'}
_LONGEST = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}
UTC = timezone.utc
_CONTROL = re.compile(r'[\x00-\x1f\x7f]+')


class IcalError(ValueError):
    """The file cannot be imported; ``messages`` say why, in the reader's language."""

    def __init__(self, messages: list[str]):
        super().__init__('; '.join(messages))
        self.messages = messages


@dataclass
class Parsed:
    dates: dict[date, str] = field(default_factory=dict)  # local date -> name
    outside_window: int = 0


def holiday_dates(text: str, zone: ZoneInfo, first: date, last: date) -> Parsed:
    """The dates in ``[first, last]`` the file's events close, named by their SUMMARY."""
    reader = _Reader(zone, last, time_module.monotonic() + BUDGET_SECONDS)
    parsed, problems, outside = Parsed(), [], set()
    for event in _events(text):
        try:
            closed = reader.event_dates(event)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as error:
            problems.append(_('Event “{name}”: {problem}').format(name=_summary(event), problem=_problem(error)))
            continue
        for day in closed:
            if first <= day <= last:
                _add_name(parsed.dates, day, _summary(event))
            else:
                outside.add(day)
    if problems:
        raise IcalError(problems[:10])
    if len(parsed.dates) > MAX_DATES:
        raise IcalError([_('The file closes {count} dates; at most {limit} can be imported at once.').format(
            count=len(parsed.dates), limit=MAX_DATES)])
    parsed.outside_window = len(outside - parsed.dates.keys())
    return parsed


def _events(text: str) -> list:
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except Exception:  # noqa: BLE001  the parser raises many kinds on hostile input; all mean "not iCalendar"
        raise IcalError([_('This is not an iCalendar file (RFC 5545).')])
    if not isinstance(calendar, icalendar.Calendar):
        raise IcalError([_('This is not an iCalendar file (RFC 5545): it must start with BEGIN:VCALENDAR.')])
    events = calendar.walk('VEVENT')
    if not events:
        raise IcalError([_('The file holds no events.')])
    return events


def _problem(error: Exception) -> str:
    if isinstance(error, IcalError):
        return str(error)
    return _('it cannot be read ({detail}).').format(detail=str(error)[:200] or type(error).__name__)


def _summary(event) -> str:
    name = _CONTROL.sub(' ', str(event.get('SUMMARY') or '')).strip()
    return name[:200] or _('Holiday')


def _add_name(dates: dict[date, str], day: date, name: str) -> None:
    known = dates.get(day)
    if known is None:
        dates[day] = name
    elif name not in known.split(' / '):
        dates[day] = f'{known} / {name}'[:200]


def _aware(value, zone: ZoneInfo):
    """Dates stay dates; a floating (zone-less) time is in the calendar's zone."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=zone)
    return value


def _day_of(value, zone: ZoneInfo) -> date:
    return value.astimezone(zone).date() if isinstance(value, datetime) else value


class _Reader:
    """Reads events for one calendar zone up to the last date of the window, within a time budget."""

    def __init__(self, zone: ZoneInfo, last: date, deadline: float):
        self.zone, self.last, self.deadline = zone, last, deadline

    def event_dates(self, event) -> set[date]:
        if str(event.get('STATUS', '')).upper() == 'CANCELLED':
            return set()
        if 'DTSTART' not in event:
            raise IcalError([_('it has no start (DTSTART).')])
        start = _aware(event.decoded('DTSTART'), self.zone)
        length = self._length(event, start)
        closed = set()
        for occurrence in self._occurrences(event, start):
            closed |= self._covered(occurrence, length)
        return closed

    def _length(self, event, start) -> timedelta:
        """DTEND - DTSTART, else DURATION, else a day (all-day) or nothing (timed)."""
        timed = isinstance(start, datetime)
        if 'DTEND' in event:
            end = _aware(event.decoded('DTEND'), self.zone)
            if timed != isinstance(end, datetime):
                raise IcalError([_('its start and end are not both dates or both date-times.')])
            length = end.astimezone(UTC) - start.astimezone(UTC) if timed else end - start
        elif 'DURATION' in event:
            length = event.decoded('DURATION')
        else:
            length = timedelta(0) if timed else timedelta(days=1)
        if length > timedelta(days=MAX_EVENT_DAYS):
            raise IcalError([_('it lasts more than {days} days.').format(days=MAX_EVENT_DAYS)])
        return max(length, timedelta(0))

    def _covered(self, start, length: timedelta) -> set[date]:
        """The local dates an occurrence touches (its end excluded)."""
        if not isinstance(start, datetime):
            return {start + timedelta(days=n) for n in range(max(length.days, 1))}
        opens = start.astimezone(self.zone)
        closes = (start.astimezone(UTC) + length).astimezone(self.zone) - timedelta(microseconds=1)
        first, final = opens.date(), max(closes.date(), opens.date())
        return {first + timedelta(days=n) for n in range((final - first).days + 1)}

    def _occurrences(self, event, start) -> set:
        found = {start}
        for rule in event.rrules:
            found |= self._expand(rule, start)
        found |= {_aware(rdate, self.zone) for rdate, _end in event.rdates}
        excluded = {_day_of(_aware(exdate, self.zone), self.zone) for exdate in event.exdates}
        return {occurrence for occurrence in found if _day_of(occurrence, self.zone) not in excluded}

    def _expand(self, rule, start) -> set:
        """The starts one RRULE gives up to the window's end (COUNT honoured, UNTIL capped at the window)."""
        _check_rule(rule)
        if time_module.monotonic() > self.deadline:
            raise IcalError([_('its repetitions take too long to work out.')])
        count, until = (rule.get('COUNT') or [None])[0], (rule.get('UNTIL') or [None])[0]
        all_day = not isinstance(start, datetime)
        dtstart = datetime.combine(start, time()) if all_day else start
        limit = _bound(datetime.combine(self.last, time.max), dtstart)
        if until is not None:
            limit = min(limit, _bound(until, dtstart))
        text = icalendar.vRecur({key: value for key, value in rule.items() if key not in ('COUNT', 'UNTIL')})
        expanded = rrulestr(text.to_ical().decode(), dtstart=dtstart).replace(until=limit)
        starts = []
        for occurrence in expanded:
            if (count is not None and len(starts) >= int(count)) or len(starts) >= MAX_OCCURRENCES:
                break
            starts.append(occurrence.date() if all_day else occurrence)
        return set(starts)


def _check_rule(rule) -> None:
    """Refuse what cannot be a holiday, or could keep dateutil searching for a date that never comes.

    dateutil stops at UNTIL only when a candidate date exists; a rule that never matches
    (the 30th of February) would otherwise be searched up to the year 9999.
    """
    frequency = str((rule.get('FREQ') or [''])[0]).upper()
    if frequency not in FREQUENCIES:
        raise IcalError([_('it repeats more often than daily ({frequency}); holidays are whole days.').format(
            frequency=frequency or '?')])
    unsupported = sorted(set(rule) & UNSUPPORTED_PARTS)
    if unsupported:
        raise IcalError([_('its rule uses {parts}, which holiday files do not need.').format(
            parts=', '.join(unsupported))])
    if frequency == 'DAILY' and int((rule.get('INTERVAL') or [1])[0]) != 1:
        raise IcalError([_('a holiday cannot repeat every few days.')])
    months = [int(month) for month in rule.get('BYMONTH') or range(1, 13)]
    if not all(month in _LONGEST for month in months):
        raise IcalError([_('its rule names a month that does not exist.')])
    days = [int(day) for day in rule.get('BYMONTHDAY') or ()]
    if days and not any(0 < abs(day) <= _LONGEST[month] for day in days for month in months):
        raise IcalError([_('its rule names a day that no month has.')])


def _bound(value, dtstart: datetime) -> datetime:
    """``value`` (a date or date-time) comparable with ``dtstart`` (naive for all-day events)."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if dtstart.tzinfo is None:
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    return value if value.tzinfo else value.replace(tzinfo=dtstart.tzinfo)

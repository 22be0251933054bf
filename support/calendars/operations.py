"""Calendar operations: changes (each one bumps the version and sends ``calendar_changed``), who uses a
calendar, holidays of a year, iCalendar import, the due-time preview and the per-process cache."""
import time
from datetime import date, datetime, timezone
from typing import Callable
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import get_locale
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..core import caches
from ..core.clock import utcnow
from ..core.config import setting
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.extensions import db
from ..core.i18n import _
from . import holiday_sets, ical
from .hours import WEEKDAYS, BusinessCalendar, add_business_time, is_open, next_change
from .models import Calendar, CalendarHoliday, CalendarHolidaySet, CalendarInterval, HolidaySource
from .schemas import MAX_HOLIDAYS
from .signals import calendar_changed

CACHE_SECONDS = 30
_cache: dict[int, tuple[int, float, BusinessCalendar]] = {}
# Functions ``(calendar_id) -> [description]`` that name what uses a calendar (SLA policies, sites).
_user_finders: list[Callable[[int], list[str]]] = []


# --- reading ---------------------------------------------------------------------------------

def get_calendar(calendar_id: int, lock: bool = False) -> Calendar:
    """The calendar, fresh from the database; ``lock`` holds its row until commit (changes serialise)."""
    query = sa.select(Calendar).where(Calendar.id == calendar_id).execution_options(populate_existing=True)
    calendar = db.session.scalar(query.with_for_update() if lock else query)
    if calendar is None:
        raise NotFound(_('Calendar {id} does not exist.').format(id=calendar_id), code='calendar_not_found')
    return calendar


def list_calendars() -> list[Calendar]:
    query = sa.select(Calendar).order_by(Calendar.name).options(
        selectinload(Calendar.intervals), selectinload(Calendar.holidays), selectinload(Calendar.holiday_sets))
    return [describe(calendar) for calendar in db.session.scalars(query)]


def describe(calendar: Calendar) -> Calendar:
    """Adds what a read shows beyond the stored columns: open now, next change, who uses it."""
    computed, now = calendar.business_calendar(), utcnow()
    change = next_change(now, computed)
    calendar.open_now = is_open(now, computed)
    calendar.next_change_at = change.astimezone(computed.tz).isoformat() if change else None
    calendar.used_by = users_of(calendar.id)
    return calendar


# --- changing --------------------------------------------------------------------------------

def create_calendar(data: dict) -> Calendar:
    """A new calendar; days missing from ``hours`` are closed."""
    _refuse_taken_name(data['name'])
    calendar = Calendar(name=data['name'], timezone=data['timezone'])
    db.session.add(calendar)
    _set_hours(calendar, data['weekly_hours'])
    _set_holidays(calendar, data['holidays'])
    _set_holiday_sets(calendar, data['holiday_sets'])
    _flush_refusing_taken_name()
    calendar_changed.send(calendar.id, calendar=calendar, times_changed=True)
    return describe(calendar)


def update_calendar(calendar_id: int, data: dict) -> Calendar:
    """Changes what ``data`` holds; an update that changes nothing keeps the version."""
    calendar = get_calendar(calendar_id, lock=True)
    before, times_before = _snapshot(calendar), calendar.business_calendar()
    if 'name' in data and data['name'] != calendar.name:
        _refuse_taken_name(data['name'], calendar.id)
        calendar.name = data['name']
    calendar.timezone = data.get('timezone', calendar.timezone)
    if 'weekly_hours' in data:
        _set_hours(calendar, {**calendar.weekly_hours, **data['weekly_hours']})
    if 'holidays' in data:
        _set_holidays(calendar, data['holidays'])
    if 'holiday_sets' in data:
        _set_holiday_sets(calendar, data['holiday_sets'])
    if _snapshot(calendar) != before:
        _changed(calendar, times_changed=calendar.business_calendar() != times_before)
    return describe(calendar)


def delete_calendar(calendar_id: int) -> None:
    """Deletes a calendar nothing uses; otherwise a 409 naming the users."""
    calendar = get_calendar(calendar_id, lock=True)
    _refuse_in_use(calendar)
    db.session.delete(calendar)
    try:
        db.session.flush()
    except IntegrityError:  # something started using it between the check and the delete
        db.session.rollback()
        _refuse_in_use(get_calendar(calendar_id), always=True)
    calendar_changed.send(calendar_id, calendar=None, times_changed=True)


def _refuse_in_use(calendar: Calendar, always: bool = False) -> None:
    users = users_of(calendar.id)
    if not users and not always:
        return
    message = (_('Calendar “{name}” is in use: {users}.').format(name=calendar.name, users='; '.join(users)) if users
               else _('Calendar “{name}” is in use.').format(name=calendar.name))
    raise Conflict(message, code='calendar_in_use', fields={'used_by': users})


def _changed(calendar: Calendar, times_changed: bool) -> None:
    calendar.version += 1
    calendar.updated_at = utcnow()
    _flush_refusing_taken_name()
    calendar_changed.send(calendar.id, calendar=calendar, times_changed=times_changed)


def _snapshot(calendar: Calendar) -> tuple:
    return (calendar.name, calendar.timezone, tuple(sorted(
        (i.weekday, i.start_second, i.end_second) for i in calendar.intervals)),
        tuple(sorted((h.day, h.name, HolidaySource(h.source)) for h in calendar.holidays)),
        tuple(sorted((s.country, s.subdivision or '') for s in calendar.holiday_sets)))


def _refuse_taken_name(name: str, calendar_id: int | None = None) -> None:
    taken = db.session.scalar(sa.select(Calendar.id).where(Calendar.name == name, Calendar.id != calendar_id))
    if taken is not None:
        raise _name_taken()


def _flush_refusing_taken_name() -> None:
    try:
        db.session.flush()
    except IntegrityError:  # two requests took the same name at once; the unique index decided
        db.session.rollback()
        raise _name_taken()


def _name_taken() -> Conflict:
    return Conflict(_('A calendar with this name already exists.'), code='calendar_name_taken',
                    fields={'name': [_('Already taken.')]})


def _set_hours(calendar: Calendar, hours: dict[str, list[dict]]) -> None:
    calendar.intervals = [CalendarInterval(weekday=WEEKDAYS.index(day), start_second=i['start'], end_second=i['end'])
                          for day in WEEKDAYS for i in sorted(hours.get(day, ()), key=lambda i: i['start'])]


def _set_holidays(calendar: Calendar, holidays: list[dict]) -> None:
    """Replaces the explicit holidays; a date already there keeps its source unless one is given."""
    sources = {holiday.day: holiday.source for holiday in calendar.holidays}
    _replace(calendar, 'holidays', [
        CalendarHoliday(day=h['day'], name=h['name'],
                        source=HolidaySource(h.get('source') or sources.get(h['day'], HolidaySource.manual)))
        for h in holidays])


def _set_holiday_sets(calendar: Calendar, sets: list[dict]) -> None:
    _replace(calendar, 'holiday_sets', [CalendarHolidaySet(country=s['country'], subdivision=s['subdivision'] or '')
                                        for s in sets])


def _replace(calendar: Calendar, collection: str, rows: list) -> None:
    """Swap a collection whose rows are unique per calendar: the old rows go (flushed) before the new come."""
    if calendar.id is not None and getattr(calendar, collection):
        getattr(calendar, collection).clear()
        db.session.flush()
    setattr(calendar, collection, rows)


# --- who uses a calendar -------------------------------------------------------------------

def register_user_finder(finder: Callable[[int], list[str]]) -> None:
    """Let another domain name what of it uses a calendar (checked before a delete)."""
    if finder not in _user_finders:
        _user_finders.append(finder)


def users_of(calendar_id: int) -> list[str]:
    """Human descriptions of everything that uses the calendar, in the reader's language."""
    return [description for finder in _user_finders for description in finder(calendar_id)]


# --- holidays of a year, iCalendar import --------------------------------------------------

def holidays_in(calendar: Calendar, year: int | None) -> list[dict]:
    """Explicit and library holidays of ``year`` (default: this year in the calendar's zone), by date."""
    year = year or utcnow().astimezone(ZoneInfo(calendar.timezone)).year
    locale = str(get_locale() or 'en')
    found = [{'date': h.day, 'name': h.name, 'source': HolidaySource(h.source).value, 'country': None,
              'subdivision': None} for h in calendar.holidays if h.day.year == year]
    for holiday_set in calendar.holiday_sets:
        subdivision = holiday_set.subdivision or None
        for day, name in holiday_sets.holidays_of(holiday_set.country, subdivision, year, locale).items():
            found.append({'date': day, 'name': name, 'source': 'library', 'country': holiday_set.country,
                          'subdivision': subdivision})
    return sorted(found, key=lambda holiday: (holiday['date'], holiday['source']))


def import_window(calendar: Calendar) -> tuple[date, date]:
    """From 1 January of last year to 31 December ``SUPPORT_CALENDAR_ICAL_YEARS`` (5) years ahead."""
    this_year = utcnow().astimezone(ZoneInfo(calendar.timezone)).year
    return date(this_year - 1, 1, 1), date(this_year + setting('SUPPORT_CALENDAR_ICAL_YEARS', 5), 12, 31)


def import_holidays(calendar_id: int, text: str, replace: bool = False) -> dict:
    """Adds the dates an iCalendar file closes as ``ical`` holidays; manual holidays always win."""
    calendar = get_calendar(calendar_id, lock=True)
    first, last = import_window(calendar)
    try:
        parsed = ical.holiday_dates(text, ZoneInfo(calendar.timezone), first, last)
    except ical.IcalError as error:
        raise ValidationFailed(_('The iCalendar file cannot be imported.'), fields={'ics': error.messages})
    before = _snapshot(calendar)
    result = _merge_imported(calendar, parsed.dates, replace)
    if len(calendar.holidays) > MAX_HOLIDAYS:
        raise ValidationFailed(fields={'ics': [_('A calendar holds at most {limit} holidays.').format(
            limit=MAX_HOLIDAYS)]})
    if _snapshot(calendar) != before:
        _changed(calendar, times_changed=bool(result['added'] or result['removed']))
    return {**result, 'outside_window': parsed.outside_window, 'first': first, 'last': last,
            'calendar': describe(calendar)}


def _merge_imported(calendar: Calendar, dates: dict[date, str], replace: bool) -> dict:
    existing = {holiday.day: holiday for holiday in calendar.holidays}
    result = {'added': [], 'updated': [], 'removed': [], 'kept_manual': []}
    for day, name in sorted(dates.items()):
        holiday = existing.get(day)
        if holiday is None:
            calendar.holidays.append(CalendarHoliday(day=day, name=name, source=HolidaySource.ical))
            result['added'].append(day)
        elif HolidaySource(holiday.source) == HolidaySource.manual:
            result['kept_manual'].append(day)
        elif holiday.name != name:
            holiday.name = name
            result['updated'].append(day)
    if replace:
        for day, holiday in sorted(existing.items()):
            if HolidaySource(holiday.source) == HolidaySource.ical and day not in dates:
                calendar.holidays.remove(holiday)
                result['removed'].append(day)
    return result


# --- due-time preview ----------------------------------------------------------------------

def preview_due(calendar: Calendar, start: datetime | None, seconds: int) -> dict:
    """When ``seconds`` of business time after ``start`` (naive: in the calendar's zone) fall due."""
    zone = ZoneInfo(calendar.timezone)
    start = (start.replace(tzinfo=zone) if start.tzinfo is None else start) if start else utcnow()
    due = add_business_time(start, seconds, calendar.business_calendar())
    return {'start': start.astimezone(zone).isoformat(), 'seconds': seconds, 'never': due is None,
            'due_at': due.astimezone(timezone.utc) if due else None,
            'due_at_local': due.astimezone(zone).isoformat() if due else None}


# --- the per-process cache of computed calendars -------------------------------------------

def business_calendar(calendar_id: int | None, fresh: bool = False) -> BusinessCalendar | None:
    """The computed calendar (``None`` for no calendar: 24x7), cached per process.

    Within ``CACHE_SECONDS`` the cached object is returned without a query; after that (or
    at once with ``fresh``, as a job re-planning after ``calendar_changed`` must) one small
    query checks the version, and an unchanged calendar keeps its cached openings. Changes
    made in this process invalidate at once (``calendar_changed``).
    """
    if calendar_id is None:
        return None
    cached = _cache.get(calendar_id)
    now = time.monotonic()
    if cached and cached[1] > now and not fresh:
        return cached[2]
    version = db.session.scalar(sa.select(Calendar.version).where(Calendar.id == calendar_id))
    if version is None:
        _cache.pop(calendar_id, None)
        return None
    if cached and cached[0] == version:
        _cache[calendar_id] = (version, now + CACHE_SECONDS, cached[2])
        return cached[2]
    calendar = db.session.scalar(sa.select(Calendar).where(Calendar.id == calendar_id).options(
        selectinload(Calendar.intervals), selectinload(Calendar.holidays), selectinload(Calendar.holiday_sets))
        .execution_options(populate_existing=True))
    computed = calendar.business_calendar()
    _cache[calendar_id] = (calendar.version, now + CACHE_SECONDS, computed)
    return computed


@calendar_changed.connect
def _forget(calendar_id, **kwargs):
    _cache.pop(calendar_id, None)


@caches.register
def forget_all() -> None:
    _cache.clear()

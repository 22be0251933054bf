"""Calendar operations: the per-process cache of computed calendars, and who uses a calendar."""
import time
from typing import Callable

import sqlalchemy as sa

from ..core import caches
from ..core.extensions import db
from .hours import BusinessCalendar
from .models import Calendar
from .signals import calendar_changed

CACHE_SECONDS = 30
_cache: dict[int, tuple[int, float, BusinessCalendar]] = {}
# Functions ``(calendar_id) -> [description]`` that name what uses a calendar (SLA policies, sites).
_user_finders: list[Callable[[int], list[str]]] = []


def business_calendar(calendar_id: int | None) -> BusinessCalendar | None:
    """The computed calendar (``None`` for no calendar: 24x7), cached per process.

    Within ``CACHE_SECONDS`` the cached object is returned without a query; after that one
    small query checks the version, and an unchanged calendar keeps its cached openings.
    Changes made in this process invalidate at once (``calendar_changed``).
    """
    if calendar_id is None:
        return None
    cached = _cache.get(calendar_id)
    now = time.monotonic()
    if cached and cached[1] > now:
        return cached[2]
    version = db.session.scalar(sa.select(Calendar.version).where(Calendar.id == calendar_id))
    if version is None:
        _cache.pop(calendar_id, None)
        return None
    if cached and cached[0] == version:
        _cache[calendar_id] = (version, now + CACHE_SECONDS, cached[2])
        return cached[2]
    computed = db.session.get(Calendar, calendar_id).business_calendar()
    _cache[calendar_id] = (version, now + CACHE_SECONDS, computed)
    return computed


@calendar_changed.connect
def _forget(calendar_id, **kwargs):
    _cache.pop(calendar_id, None)


@caches.register
def forget_all() -> None:
    _cache.clear()


def register_user_finder(finder: Callable[[int], list[str]]) -> None:
    """Let another domain name what of it uses a calendar (checked before a delete)."""
    if finder not in _user_finders:
        _user_finders.append(finder)


def users_of(calendar_id: int) -> list[str]:
    """Human descriptions of everything that uses the calendar, in the reader's language."""
    return [description for finder in _user_finders for description in finder(calendar_id)]

"""A business calendar: a time zone, weekly opening intervals and holidays.

Calendars belong to the center; SLA policies and sites use them. Opening intervals are
wall-clock seconds after local midnight in the calendar's zone; holidays are local dates.
"""
import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base, enum_type
from .hours import DAY, WEEKDAYS, BusinessCalendar, Holidays


class HolidaySource(str, enum.Enum):
    manual = 'manual'  # typed in through the API
    ical = 'ical'      # imported from an iCalendar (RFC 5545) file


class Calendar(Base):
    __tablename__ = 'calendars'

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    timezone: Mapped[str] = mapped_column(sa.String(64))
    # Bumped on every change, so per-process caches of the computed calendar know they are stale.
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    intervals: Mapped[list['CalendarInterval']] = relationship(
        cascade='all, delete-orphan', order_by='(CalendarInterval.weekday, CalendarInterval.start_second)')
    holidays: Mapped[list['CalendarHoliday']] = relationship(cascade='all, delete-orphan',
                                                             order_by='CalendarHoliday.day')
    holiday_sets: Mapped[list['CalendarHolidaySet']] = relationship(cascade='all, delete-orphan',
                                                                    order_by='CalendarHolidaySet.id')

    @property
    def weekly_hours(self) -> dict[str, list[dict[str, int]]]:
        """``{"mon": [{"start": 32400, "end": 64800}], ...}``: seconds after local midnight, every day present."""
        hours = {day: [] for day in WEEKDAYS}
        for interval in sorted(self.intervals, key=lambda i: (i.weekday, i.start_second)):
            hours[WEEKDAYS[interval.weekday]].append({'start': interval.start_second, 'end': interval.end_second})
        return hours

    def business_calendar(self) -> BusinessCalendar:
        """The pure calendar the arithmetic of ``hours.py`` runs on."""
        weekly = [[] for _ in range(7)]
        for interval in self.intervals:
            weekly[interval.weekday].append((interval.start_second, interval.end_second))
        holidays = Holidays(frozenset(h.day for h in self.holidays),
                            tuple((s.country, s.subdivision or None) for s in self.holiday_sets))
        return BusinessCalendar(self.timezone, tuple(tuple(day) for day in weekly), holidays)


class CalendarInterval(Base):
    """One opening interval of one weekday (0 = Monday), in wall-clock seconds after midnight."""

    __tablename__ = 'calendar_intervals'
    __table_args__ = (
        sa.CheckConstraint('weekday BETWEEN 0 AND 6', name='weekday'),
        sa.CheckConstraint(f'start_second >= 0 AND start_second < end_second AND end_second <= {DAY}',
                           name='within_day'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(sa.ForeignKey('calendars.id', ondelete='CASCADE'), index=True)
    weekday: Mapped[int] = mapped_column(sa.SmallInteger)
    start_second: Mapped[int]
    end_second: Mapped[int]


class CalendarHoliday(Base):
    """A closed local date, with its name."""

    __tablename__ = 'calendar_holidays'
    __table_args__ = (sa.UniqueConstraint('calendar_id', 'day'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(sa.ForeignKey('calendars.id', ondelete='CASCADE'))
    day: Mapped[date] = mapped_column(sa.Date)
    name: Mapped[str] = mapped_column(sa.String(200))
    source: Mapped[HolidaySource] = mapped_column(enum_type(HolidaySource), default=HolidaySource.manual)


class CalendarHolidaySet(Base):
    """Every holiday of a country (and subdivision) as the ``holidays`` library knows them, any year."""

    __tablename__ = 'calendar_holiday_sets'
    __table_args__ = (sa.UniqueConstraint('calendar_id', 'country', 'subdivision'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(sa.ForeignKey('calendars.id', ondelete='CASCADE'))
    country: Mapped[str] = mapped_column(sa.String(3))
    subdivision: Mapped[str] = mapped_column(sa.String(10), default='')  # '' = the whole country

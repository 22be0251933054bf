"""What the calendars API reads and writes. Opening hours are wall-clock times in the calendar's zone."""
from marshmallow import ValidationError, fields, post_dump, post_load, validate, validates_schema

from ..core.i18n import _, _l
from ..core.schemas import Schema, Text, choice, time_zone
from .holiday_sets import canonical, subdivision_problem
from .hours import DAY, WEEKDAYS, format_clock, parse_clock
from .models import HolidaySource

MAX_INTERVALS_A_DAY = 12
MAX_HOLIDAYS = 2000
MAX_HOLIDAY_SETS = 10
MAX_PREVIEW_SECONDS = 366 * DAY
CLOCK_PATTERN = r'^([01][0-9]|2[0-4]):[0-5][0-9](:[0-5][0-9])?$'


class ClockTime(fields.String):
    """``"HH:MM"`` or ``"HH:MM:SS"`` from 00:00 to 24:00 on the wire; seconds after midnight inside."""

    def __init__(self, **kwargs):
        metadata = {'pattern': CLOCK_PATTERN, 'example': '09:00', **kwargs.pop('metadata', {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return parse_clock(text)
        except ValueError:
            raise ValidationError(_l('Not a time of day: use HH:MM, from 00:00 to 24:00.'))

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else format_clock(value)


class IntervalSchema(Schema):
    start = ClockTime(required=True)
    end = ClockTime(required=True, metadata={'description': 'exclusive; 24:00 is the end of the day'})

    @validates_schema(skip_on_field_errors=True)
    def _ordered(self, data, **kwargs):
        if data['start'] >= DAY:
            raise ValidationError(_l('24:00 can only end an interval.'), 'start')
        if data['end'] <= data['start']:
            raise ValidationError(_l('Must be after the start.'), 'end')


def _day(**kwargs):
    return fields.List(fields.Nested(IntervalSchema), validate=validate.Length(max=MAX_INTERVALS_A_DAY), **kwargs)


class HoursSchema(Schema):
    """Opening intervals per weekday; a day with none is closed."""

    mon, tue, wed, thu, fri, sat, sun = (_day() for _ in WEEKDAYS)

    @validates_schema(skip_on_field_errors=False)  # so a bad Monday does not hide Tuesday's overlap
    def _no_overlap(self, data, **kwargs):
        problems = {day: [message] for day, intervals in data.items()
                    if _complete(intervals) and (message := _overlap(intervals))}
        if problems:
            raise ValidationError(problems)


def _complete(intervals) -> bool:
    """Whether every interval of the day loaded (one that did not has its own error)."""
    return all('start' in interval and 'end' in interval for interval in intervals)


def _overlap(intervals) -> str | None:
    ordered = sorted(intervals, key=lambda interval: interval['start'])
    for before, after in zip(ordered, ordered[1:]):
        if after['start'] < before['end']:
            return _('{first} and {second} overlap.').format(
                first=_span(before), second=_span(after))
    return None


def _span(interval) -> str:
    return f"{format_clock(interval['start'])}–{format_clock(interval['end'])}"


class HolidaySchema(Schema):
    date = fields.Date(required=True, attribute='day')
    name = Text(required=True, min_length=1, max_length=200)
    source = choice(HolidaySource, metadata={'description': 'manual (typed in) or ical (imported); kept on '
                                                            'a date already there when not given'})


class HolidaySetSchema(Schema):
    country = Text(required=True, min_length=2, max_length=3, metadata={'example': 'MX'})
    subdivision = Text(allow_none=True, load_default=None, max_length=10,
                       metadata={'description': 'state or province code (US: TX); null is the whole country'})

    @validates_schema(skip_on_field_errors=True)
    def _known(self, data, **kwargs):
        problem = subdivision_problem(data['country'], data['subdivision'])
        if problem:
            raise ValidationError(*problem)

    @post_load
    def _canonical(self, data, **kwargs):
        data['country'], data['subdivision'] = canonical(data['country'], data['subdivision'])
        return data

    @post_dump
    def _whole_country(self, data, **kwargs):
        data['subdivision'] = data.get('subdivision') or None  # stored as '' (part of a unique key)
        return data


class CalendarRefSchema(Schema):
    """A calendar named where something uses it (a site, an SLA policy)."""

    id = fields.Integer()
    name = fields.String()
    timezone = fields.String()


class CalendarSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = Text(required=True, min_length=1, max_length=120)
    timezone = time_zone(required=True)
    hours = fields.Nested(HoursSchema, required=True, attribute='weekly_hours')
    holidays = fields.List(fields.Nested(HolidaySchema), load_default=list,
                           validate=validate.Length(max=MAX_HOLIDAYS))
    holiday_sets = fields.List(fields.Nested(HolidaySetSchema), load_default=list,
                               validate=validate.Length(max=MAX_HOLIDAY_SETS))
    version = fields.Integer(dump_only=True, metadata={'description': 'grows with every change'})
    open_now = fields.Boolean(dump_only=True)
    next_change_at = fields.String(dump_only=True, allow_none=True, metadata={
        'format': 'date-time', 'description': "when it next opens or closes, with the calendar's UTC offset; "
                                              'null when it never will (closed, 24x7)'})
    used_by = fields.List(fields.String(), dump_only=True, metadata={
        'description': 'what uses the calendar (SLA policies, sites), in the reader\'s language'})
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)

    @validates_schema(skip_on_field_errors=False)  # entries that did not load are left out (they have errors)
    def _unique_entries(self, data, **kwargs):
        problems = {}
        dates = _repeated([holiday.get('day') for holiday in data.get('holidays', ())])
        if dates:
            problems['holidays'] = {index: {'date': [_l('This date is already in the list.')]} for index in dates}
        sets = _repeated([(s['country'], s.get('subdivision')) if 'country' in s else None
                          for s in data.get('holiday_sets', ())])
        if sets:
            problems['holiday_sets'] = {index: {'country': [_l('This set is already in the list.')]}
                                        for index in sets}
        if problems:
            raise ValidationError(problems)


def _repeated(values) -> list[int]:
    """Indexes of the values already seen earlier in the list."""
    seen, repeated = set(), []
    for index, value in enumerate(values):
        if value is not None and value in seen:
            repeated.append(index)
        seen.add(value)
    return repeated


class CalendarUpdateSchema(CalendarSchema):
    """Only what is sent changes; ``hours`` changes only the days given; lists are replaced whole."""

    name = Text(min_length=1, max_length=120)
    timezone = time_zone()
    hours = fields.Nested(HoursSchema, attribute='weekly_hours')
    holidays = fields.List(fields.Nested(HolidaySchema), validate=validate.Length(max=MAX_HOLIDAYS))
    holiday_sets = fields.List(fields.Nested(HolidaySetSchema), validate=validate.Length(max=MAX_HOLIDAY_SETS))

    @validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError(_l('Send at least one field to change.'))


class LibraryHolidaySchema(Schema):
    date = fields.Date(required=True)
    name = fields.String(required=True)
    source = fields.String(required=True, metadata={'enum': ['manual', 'ical', 'library']})
    country = fields.String(allow_none=True, metadata={'description': 'the holiday set, for library holidays'})
    subdivision = fields.String(allow_none=True)


class HolidayListArgs(Schema):
    year = fields.Integer(validate=validate.Range(min=1970, max=2100, error=_l('Must be between 1970 and 2100.')),
                          metadata={'description': "default: this year in the calendar's zone"})


class IcsBodySchema(Schema):
    ics = fields.String(required=True, validate=validate.Length(min=1), metadata={
        'description': 'the text of an iCalendar (RFC 5545) file'})


class ImportArgs(Schema):
    replace = fields.Boolean(load_default=False, metadata={
        'description': 'also remove imported holidays the file no longer has (manual ones always stay)'})


class HolidayImportResultSchema(Schema):
    added = fields.List(fields.Date(), required=True)
    updated = fields.List(fields.Date(), required=True, metadata={'description': 'imported before, new name'})
    removed = fields.List(fields.Date(), required=True, metadata={'description': 'with replace=true'})
    kept_manual = fields.List(fields.Date(), required=True, metadata={
        'description': 'dates in the file that already were manual holidays (left as they are)'})
    outside_window = fields.Integer(required=True, metadata={
        'description': 'dates of the file before last year or after the import window, not imported'})
    first = fields.Date(required=True, metadata={'description': 'the import window'})
    last = fields.Date(required=True)
    calendar = fields.Nested(CalendarSchema, required=True)


class DueArgs(Schema):
    start = fields.DateTime(metadata={'description': "ISO 8601; without an offset it is in the calendar's zone; "
                                                     'default: now'})
    seconds = fields.Integer(required=True, validate=validate.Range(
        min=0, max=MAX_PREVIEW_SECONDS, error=_l('Must be between {min} and {max}.')))


class DueSchema(Schema):
    start = fields.String(required=True, metadata={'format': 'date-time', 'description': "in the calendar's zone"})
    seconds = fields.Integer(required=True, metadata={'description': 'business seconds to add'})
    never = fields.Boolean(required=True, metadata={'description': 'the calendar never opens: nothing is ever due'})
    due_at = fields.DateTime(required=True, allow_none=True, metadata={'description': 'in UTC'})
    due_at_local = fields.String(required=True, allow_none=True, metadata={
        'format': 'date-time', 'description': "in the calendar's zone, with its UTC offset"})

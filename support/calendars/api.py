"""REST API of business calendars under ``/api/v1/calendars`` (admins): CRUD, holidays of a year,
iCalendar import and a due-time preview."""
from flask import request
from flask_smorest import Blueprint
from marshmallow import ValidationError

from ..agents.auth import require_role
from ..agents.models import Role
from ..core.errors import ApiError, ValidationFailed
from ..core.extensions import db
from ..core.http import accepts
from ..core.i18n import _
from .operations import (create_calendar, delete_calendar, describe, get_calendar, holidays_in, import_holidays,
                         list_calendars, preview_due, update_calendar)
from .schemas import (CalendarSchema, CalendarUpdateSchema, DueArgs, DueSchema, HolidayImportResultSchema,
                      HolidayListArgs, IcsBodySchema, ImportArgs, LibraryHolidaySchema)

blp = Blueprint('calendars', __name__, url_prefix='/api/v1/calendars',
                description="Business calendars: opening hours in the calendar's zone, holidays, iCalendar import")


@blp.teardown_request
def _end_transaction(exc=None):
    """A refused change (4xx) leaves nothing half-done in the session, even when the context lives on."""
    db.session.rollback()


@blp.route('', methods=['GET'])
@require_role(Role.admin)
@blp.response(200, CalendarSchema(many=True))
def list_all():
    """Every calendar, by name, with whether it is open now and what uses it."""
    return list_calendars()


@blp.route('', methods=['POST'])
@require_role(Role.admin)
@blp.arguments(CalendarSchema)
@blp.response(201, CalendarSchema)
def post_calendar(data):
    """Create a calendar; days missing from ``hours`` are closed."""
    calendar = create_calendar(data)
    db.session.commit()
    return calendar


@blp.route('/<int:calendar_id>', methods=['GET'])
@require_role(Role.admin)
@blp.response(200, CalendarSchema)
def get_one(calendar_id):
    """One calendar."""
    return describe(get_calendar(calendar_id))


@blp.route('/<int:calendar_id>', methods=['PATCH'])
@require_role(Role.admin)
@blp.arguments(CalendarUpdateSchema)
@blp.response(200, CalendarSchema)
def patch_calendar(data, calendar_id):
    """Change a calendar: ``hours`` changes only the days sent; ``holidays`` and ``holiday_sets`` are replaced."""
    calendar = update_calendar(calendar_id, data)
    db.session.commit()
    return calendar


@blp.route('/<int:calendar_id>', methods=['DELETE'])
@require_role(Role.admin)
@blp.response(204)
def delete_one(calendar_id):
    """Delete a calendar nothing uses; ``409 calendar_in_use`` lists the users in ``fields.used_by``."""
    delete_calendar(calendar_id)
    db.session.commit()


@blp.route('/<int:calendar_id>/holidays', methods=['GET'])
@require_role(Role.admin)
@blp.arguments(HolidayListArgs, location='query', as_kwargs=True)
@blp.response(200, LibraryHolidaySchema(many=True))
def list_holidays(calendar_id, year=None):
    """The closed dates of a year: explicit ones (manual, ical) and the library sets' (names in your language)."""
    return holidays_in(get_calendar(calendar_id), year)


_ICS_BODY = {'required': True, 'content': {
    'text/calendar': {'schema': {'type': 'string'}, 'example': 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN'
                      '\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20261224\r\nSUMMARY:Nochebuena\r\n'
                      'END:VEVENT\r\nEND:VCALENDAR\r\n'},
    'application/json': {'schema': IcsBodySchema}}}


@blp.route('/<int:calendar_id>/holidays/import', methods=['POST'])
@accepts('text/calendar', 'application/json')
@require_role(Role.admin)
@blp.arguments(ImportArgs, location='query', as_kwargs=True)
@blp.doc(requestBody=_ICS_BODY)
@blp.response(200, HolidayImportResultSchema)
def post_import(calendar_id, replace=False):
    """Import holiday dates from an iCalendar (RFC 5545) file, as ``text/calendar`` or ``{"ics": "..."}``.

    All-day and timed events close every local date they touch; RRULE/RDATE/EXDATE are
    expanded up to the end of the import window. Manual holidays are never overwritten.
    """
    result = import_holidays(calendar_id, _ics_text(), replace)
    db.session.commit()
    return result


def _ics_text() -> str:
    if request.mimetype == 'application/json':
        try:
            body = request.get_json(silent=True)
            if body is None:
                raise ApiError(_('The body is not valid JSON.'), code='invalid_json', status=400)
            return IcsBodySchema().load(body)['ics']
        except ValidationError as error:
            raise ValidationFailed(fields=error.messages)
    try:
        return request.get_data().decode(request.mimetype_params.get('charset') or 'utf-8')
    except (UnicodeDecodeError, LookupError):
        raise ValidationFailed(fields={'ics': [_('The file is not text in the declared encoding (UTF-8 by default).')]})


@blp.route('/<int:calendar_id>/due', methods=['GET'])
@require_role(Role.admin)
@blp.arguments(DueArgs, location='query', as_kwargs=True)
@blp.response(200, DueSchema)
def get_due(calendar_id, seconds, start=None):
    """When ``seconds`` of business time after ``start`` fall due on this calendar (``never`` on a closed one)."""
    return preview_due(get_calendar(calendar_id), start, seconds)

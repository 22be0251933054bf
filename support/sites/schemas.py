from marshmallow import ValidationError, fields, validates_schema

from ..core.i18n import _l
from ..calendars.schemas import CalendarRefSchema
from ..core.schemas import Schema, Text, time_zone


class SiteSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = Text(required=True, min_length=1, max_length=120)
    timezone = time_zone(load_default='America/Mexico_City')
    calendar_id = fields.Integer(allow_none=True, load_default=None, metadata={
        'description': "the site's business hours: a calendar's id (GET /api/v1/calendars), or null"})
    calendar = fields.Nested(CalendarRefSchema, dump_only=True, allow_none=True)


class SiteUpdateSchema(SiteSchema):
    name = Text(min_length=1, max_length=120)
    timezone = time_zone()
    calendar_id = fields.Integer(allow_none=True, metadata={'description': 'a calendar id, or null for none'})

    @validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError(_l('Send at least one field to change.'))

from babel.dates import get_timezone
from marshmallow import ValidationError, fields, validate, validates

from ..core.i18n import _l
from ..core.schemas import Schema


class SiteSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    timezone = fields.String(load_default='America/Mexico_City', validate=validate.Length(max=64))

    @validates('timezone')
    def _known_zone(self, value, **kwargs):
        try:
            get_timezone(value)
        except LookupError:
            raise ValidationError(_l('Unknown time zone.'))

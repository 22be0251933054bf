from marshmallow import fields, validate

from ..core.schemas import Schema, zone


class SiteSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    timezone = zone(load_default='America/Mexico_City')

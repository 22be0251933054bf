from marshmallow import fields, validate

from ..core.schemas import Schema, Text, choice
from ..tickets.models import LANGUAGES

SLUG = validate.Regexp(r'^[a-z0-9][a-z0-9-]{0,62}$')


class ClientCreateSchema(Schema):
    name = Text(required=True, min_length=1, max_length=120)
    slug = fields.String(required=True, validate=SLUG)
    default_language = choice(LANGUAGES, load_default='en')
    intake_rate_limit = fields.String(validate=validate.Regexp(r'^\d{1,6}/(second|minute|hour|day)$'),
                                      allow_none=True)


class KeyOutSchema(Schema):
    key_id = fields.String()
    active = fields.Boolean()
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)


class NewKeySchema(KeyOutSchema):
    secret = fields.String(metadata={'description': 'shown only in this response'})


class ClientOutSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    slug = fields.String()
    default_language = fields.String()
    intake_rate_limit = fields.String(allow_none=True)
    active = fields.Boolean()
    keys = fields.List(fields.Nested(KeyOutSchema))


class ClientCreatedSchema(ClientOutSchema):
    key_id = fields.String()
    secret = fields.String(metadata={'description': 'shown only in this response'})

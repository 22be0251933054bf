from marshmallow import fields, validate

from ..core.schemas import Schema, Text, choice, email, time_zone
from ..tickets.models import LANGUAGES

SLUG = validate.Regexp(r'^[a-z0-9][a-z0-9-]{0,62}$')
RATE = r'^\d{1,6}/(second|minute|hour|day)$'


WRAPUP = {'description': 'wrap-up after a resolve or hand-off: the longest an agent keeps the capacity, in seconds '
                          '(0 = no wrap-up; default 60)'}
DISPOSITION_REQUIRED = {'description': 'agents must give a disposition code before resolving'}
CSAT_ENABLED = {'description': 'ask the customer how satisfied they are after a resolve (docs/csat.md)'}
CSAT_DELAY = {'description': 'minutes between the resolve and the question (0 = at once; default 60)'}


class ClientCreateSchema(Schema):
    name = Text(required=True, min_length=1, max_length=120)
    slug = fields.String(required=True, validate=SLUG)
    default_language = choice(LANGUAGES, load_default='en')
    intake_rate_limit = fields.String(validate=validate.Regexp(RATE), allow_none=True)
    notify_email = email(allow_none=True, metadata={
        'description': 'where notices go when no webhook endpoint can take them (an endpoint disabled)'})
    wrapup_seconds = fields.Integer(validate=validate.Range(min=0, max=3600), metadata=WRAPUP)
    disposition_required = fields.Boolean(metadata=DISPOSITION_REQUIRED)
    csat_enabled = fields.Boolean(metadata=CSAT_ENABLED)
    csat_delay_minutes = fields.Integer(validate=validate.Range(min=0, max=7 * 24 * 60), metadata=CSAT_DELAY)


CATALOGUE_ITEM = Text(min_length=1, max_length=120)


class ClientUpdateSchema(Schema):
    name = Text(min_length=1, max_length=120)
    default_language = choice(LANGUAGES)
    intake_rate_limit = fields.String(validate=validate.Regexp(RATE), allow_none=True)
    timezone = time_zone()
    products = fields.List(CATALOGUE_ITEM, validate=validate.Length(max=200),
                           metadata={'description': 'its product lines (SLA conditions may name them)'})
    tags = fields.List(Text(min_length=1, max_length=40), validate=validate.Length(max=500),
                       metadata={'description': 'its tags (SLA conditions may name them)'})
    notify_email = email(allow_none=True)
    active = fields.Boolean(metadata={'description': 'false refuses its signed requests and provider webhooks'})
    wrapup_seconds = fields.Integer(validate=validate.Range(min=0, max=3600), metadata=WRAPUP)
    disposition_required = fields.Boolean(metadata=DISPOSITION_REQUIRED)
    csat_enabled = fields.Boolean(metadata=CSAT_ENABLED)
    csat_delay_minutes = fields.Integer(validate=validate.Range(min=0, max=7 * 24 * 60), metadata=CSAT_DELAY)


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
    notify_email = fields.String(allow_none=True)
    active = fields.Boolean()
    timezone = fields.String()
    products = fields.List(fields.String())
    tags = fields.List(fields.String())
    wrapup_seconds = fields.Integer()
    disposition_required = fields.Boolean()
    csat_enabled = fields.Boolean()
    csat_delay_minutes = fields.Integer()
    keys = fields.List(fields.Nested(KeyOutSchema))


class ClientCreatedSchema(ClientOutSchema):
    key_id = fields.String()
    secret = fields.String(metadata={'description': 'shown only in this response'})

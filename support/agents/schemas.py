from marshmallow import fields, validate

from ..core.schemas import Schema, Text, choice, email
from ..tickets.models import LANGUAGES
from .models import Role


class TokenRequestSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class TokenSchema(Schema):
    token = fields.String(required=True)
    expires_in = fields.Integer()


class CsrfSchema(Schema):
    csrf_token = fields.String(required=True)


class AgentSchema(Schema):
    id = fields.Integer(dump_only=True)
    email = email(required=True)
    name = Text(required=True, min_length=1, max_length=120)
    password = fields.String(load_only=True, required=True, validate=validate.Length(min=8, max=200))
    role = choice(Role, load_default=Role.agent.value)
    languages = fields.List(choice(LANGUAGES), validate=validate.Length(min=1, max=2), load_default=['en'])
    locale = choice(LANGUAGES, allow_none=True)
    site = fields.String(validate=validate.Length(min=1, max=120), allow_none=True)
    clients = fields.List(fields.String(validate=validate.Length(max=64)), load_default=list)
    active = fields.Boolean(load_default=True)


class AgentOutSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = fields.String(attribute='role.value')
    languages = fields.List(fields.String())
    locale = fields.String(allow_none=True)
    site = fields.Function(lambda a: a.site.name if a.site else None)
    timezone = fields.Function(lambda a: a.site.timezone if a.site else None)
    clients = fields.Function(lambda a: [c.slug for c in a.clients])
    active = fields.Boolean()


class AgentUpdateSchema(Schema):
    name = Text(min_length=1, max_length=120)
    password = fields.String(load_only=True, validate=validate.Length(min=8, max=200))
    role = choice(Role)
    languages = fields.List(choice(LANGUAGES), validate=validate.Length(min=1, max=2))
    locale = choice(LANGUAGES, allow_none=True)
    site = fields.String(validate=validate.Length(min=1, max=120), allow_none=True)
    clients = fields.List(fields.String(validate=validate.Length(max=64)))
    active = fields.Boolean()


class MeUpdateSchema(Schema):
    locale = choice(LANGUAGES, allow_none=True, required=True)

from marshmallow import fields, validate, validates_schema, ValidationError

from ..core.i18n import _l
from ..core.schemas import Schema, Text, choice
from ..tickets.models import LANGUAGES
from ..tickets.schemas import TicketSummarySchema

SLUG = fields.String(validate=validate.Length(min=1, max=64), allow_none=True)


class CannedAnswerSchema(Schema):
    id = fields.Integer(dump_only=True)
    client = fields.Function(lambda a: a.client.slug if a.client else None, dump_only=True,
                             metadata={'description': 'client slug; null: every client'})
    language = fields.String(dump_only=True)
    title = fields.String(dump_only=True)
    body = fields.String(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class CannedAnswerCreateSchema(Schema):
    client = SLUG
    language = choice(LANGUAGES, required=True)
    title = Text(required=True, min_length=1, max_length=120)
    body = Text(required=True, min_length=1, max_length=5000, multiline=True)


class CannedAnswerUpdateSchema(Schema):
    language = choice(LANGUAGES)
    title = Text(min_length=1, max_length=120)
    body = Text(min_length=1, max_length=5000, multiline=True)

    @validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError(_l('Send at least one of language, title or body.'))


class CannedAnswerArgs(Schema):
    client = fields.String(validate=validate.Length(min=1, max=64),
                           metadata={'description': 'answers for this client (and those for every client)'})
    language = choice(LANGUAGES)


class MyTicketSchema(TicketSummarySchema):
    """A ticket summary (as in live events) with when it last moved and whether the agent has read it."""

    last_activity_at = fields.DateTime()
    unread = fields.Boolean()


class MyTicketsSchema(Schema):
    items = fields.List(fields.Nested(MyTicketSchema), required=True)


class ColleagueSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    role = fields.String(attribute='role.value')
    languages = fields.List(fields.String())
    site = fields.Function(lambda a: a.site.name if a.site else None)

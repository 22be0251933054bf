from marshmallow import ValidationError, fields, validate, validates_schema

from ..agents.presence import CHANNELS, Presence
from ..core.i18n import _l
from ..core.schemas import Schema, Text, choice
from ..tickets.models import LANGUAGES

MAX_ID = 2 ** 31 - 1  # ids are 32-bit columns
CODE = validate.Regexp(r'^[a-z0-9_-]{1,40}$', error=_l('Use 1 to 40 lowercase letters, digits, "-" or "_".'))


class PresenceSchema(Schema):
    status = choice(Presence, required=True)
    reason = fields.String(validate=validate.Length(max=40), allow_none=True)


class AwayReasonSchema(Schema):
    code = fields.String(required=True, validate=CODE)
    label_en = Text(required=True, min_length=1, max_length=80)
    label_es = Text(required=True, min_length=1, max_length=80)


class SkillsSchema(Schema):
    languages = fields.List(choice(LANGUAGES), validate=validate.Length(min=1, max=2))
    capacities = fields.Dict(keys=choice(CHANNELS), values=fields.Integer(validate=validate.Range(min=0, max=50)))
    clients = fields.List(fields.String(validate=validate.Length(max=64)), validate=validate.Length(max=200))
    products = fields.List(Text(min_length=1, max_length=120), validate=validate.Length(max=100))


class QueueCreateSchema(Schema):
    name = Text(required=True, min_length=1, max_length=120)
    client = fields.String(validate=validate.Length(max=64), allow_none=True, load_default=None)
    language = choice(LANGUAGES, allow_none=True, load_default=None)
    family = choice(('messaging', 'voice', 'email'), allow_none=True, load_default=None)
    threshold_seconds = fields.Integer(load_default=300, validate=validate.Range(min=10, max=7 * 24 * 3600))


class TransferSchema(Schema):
    agent_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    queue_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    note = Text(max_length=5000, multiline=True)

    @validates_schema(skip_on_field_errors=True)
    def _one_target(self, data, **kwargs):
        if ('agent_id' in data) == ('queue_id' in data):
            raise ValidationError(_l('Give either agent_id or queue_id.'))


class ReassignSchema(Schema):
    agent_id = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))
    note = Text(max_length=5000, multiline=True)


class Loose(Schema):
    """Responses are plain dictionaries built by ``routing.views`` (documented in docs/routing.md)."""

    class Meta:
        unknown = 'include'


class ListOfDicts(fields.List):
    def __init__(self, **kwargs):
        super().__init__(fields.Dict(), **kwargs)

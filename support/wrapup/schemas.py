from datetime import timezone

from marshmallow import ValidationError, fields, validate, validates_schema

from ..agents.presence import Presence
from ..core.i18n import _l
from ..core.schemas import Id, Schema, Text, choice
from ..routing.schemas import WrapUpEntrySchema  # noqa: F401  (the wrap-up in answers and events)

CODE = validate.Regexp(r'^[a-z0-9_-]{1,40}$', error=_l('Use 1 to 40 lowercase letters, digits, "-" or "_".'))
DATE_TIME = {'format': 'date-time'}


class WrapUpEndSchema(Schema):
    disposition_id = Id(allow_none=True, metadata={
        'description': "set the ticket's disposition code as the wrap-up ends (null clears it)"})


class DispositionListArgs(Schema):
    all = fields.Boolean(load_default=False, metadata={'description': 'inactive codes too (admins)'})


class DispositionCreateSchema(Schema):
    code = fields.String(required=True, validate=CODE)
    label_en = Text(required=True, min_length=1, max_length=80)
    label_es = Text(required=True, min_length=1, max_length=80)
    parent_id = Id(allow_none=True, load_default=None,
                   metadata={'description': 'a top-level code of the same client (two levels at most)'})
    position = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10000))
    active = fields.Boolean(load_default=True)


class DispositionUpdateSchema(Schema):
    label_en = Text(min_length=1, max_length=80)
    label_es = Text(min_length=1, max_length=80)
    parent_id = Id(allow_none=True)
    position = fields.Integer(validate=validate.Range(min=0, max=10000))
    active = fields.Boolean()

    @validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError(_l('Send at least one of label_en, label_es, parent_id, position or active.'))


class DispositionSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = fields.String(dump_only=True)
    label = fields.String(dump_only=True, metadata={'description': "in the reader's language"})
    label_en = fields.String(dump_only=True)
    label_es = fields.String(dump_only=True)
    parent_id = fields.Integer(dump_only=True, allow_none=True)
    active = fields.Boolean(dump_only=True)
    position = fields.Integer(dump_only=True)


class DispositionNodeSchema(DispositionSchema):
    children = fields.List(fields.Nested(DispositionSchema), dump_only=True,
                           metadata={'description': 'second-level codes'})


class PresenceHistoryArgs(Schema):
    from_ = fields.AwareDateTime(data_key='from', default_timezone=timezone.utc, metadata={
        'description': 'start of the interval (default: 24 hours before `to`); a naive time is UTC'})
    to = fields.AwareDateTime(default_timezone=timezone.utc, metadata={'description': 'end (default: now)'})
    after = Id(metadata={'description': 'the `next_cursor` of the previous page'})
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=1000))

    @validates_schema(skip_on_field_errors=True)
    def _ordered(self, data, **kwargs):
        if 'from_' in data and 'to' in data and data['from_'] >= data['to']:
            raise ValidationError(_l('Must be before "to".'), 'from')


class PresenceChangeSchema(Schema):
    id = fields.Integer(dump_only=True)
    status = choice(Presence, dump_only=True)
    reason = fields.String(dump_only=True, allow_none=True)
    actor_id = fields.Integer(dump_only=True, allow_none=True, metadata={'description': 'null: the system'})
    started_at = fields.DateTime(dump_only=True)
    ended_at = fields.DateTime(dump_only=True, allow_none=True, metadata={'description': 'null: current'})
    seconds = fields.Integer(dump_only=True, metadata={
        'description': 'the part of this stretch inside the asked interval, in seconds'})


class PresenceHistorySchema(Schema):
    agent_id = fields.Integer(dump_only=True)
    items = fields.List(fields.Nested(PresenceChangeSchema), dump_only=True,
                        metadata={'description': 'stretches overlapping the interval, oldest first'})
    next_cursor = fields.Integer(dump_only=True, allow_none=True, metadata={'description': 'pass as `after`'})

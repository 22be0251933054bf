from datetime import timezone

from marshmallow import ValidationError, fields, validate, validates_schema

from ..core.i18n import _l
from ..core.schemas import Id, Schema, choice
from ..tickets.models import LANGUAGES, Channel
from .models import AnswerVia, SurveyStatus

GROUPS = ('client', 'agent', 'channel', 'language')


class CsatAgentSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)


class CsatResponseSchema(Schema):
    id = fields.Integer(dump_only=True)
    ticket_id = fields.Integer(dump_only=True)
    rating = fields.Integer(dump_only=True, metadata={'minimum': 1, 'maximum': 5})
    satisfied = fields.Boolean(dump_only=True, metadata={'description': 'rating 4 or 5'})
    comment = fields.String(dump_only=True, allow_none=True)
    via = choice(AnswerVia, dump_only=True, metadata={'description': 'link: the e-mail page; reply: "reply 1 to 5"'})
    channel = choice(Channel, dump_only=True)
    language = fields.String(dump_only=True)
    agent = fields.Nested(CsatAgentSchema, dump_only=True, allow_none=True,
                          metadata={'description': 'the agent who held the ticket when it was resolved'})
    answered_at = fields.String(dump_only=True, metadata={'format': 'date-time'})
    commented_at = fields.String(dump_only=True, allow_none=True, metadata={'format': 'date-time'})


class CsatSurveySchema(Schema):
    status = choice(SurveyStatus, dump_only=True)
    channel = choice(Channel, dump_only=True)
    language = fields.String(dump_only=True)
    agent_id = fields.Integer(dump_only=True, allow_none=True)
    due_at = fields.DateTime(dump_only=True, metadata={'description': 'when the question is (was) due'})
    sent_at = fields.DateTime(dump_only=True, allow_none=True)
    expires_at = fields.DateTime(dump_only=True, allow_none=True,
                                 metadata={'description': 'links and replies count until then'})
    failure = fields.String(dump_only=True, allow_none=True, metadata={'description': 'why it could not be sent'})
    response = fields.Nested(CsatResponseSchema, dump_only=True, allow_none=True)


class _Interval(Schema):
    from_ = fields.AwareDateTime(data_key='from', default_timezone=timezone.utc,
                                 metadata={'description': 'answered at or after (a naive time is UTC)'})
    to = fields.AwareDateTime(default_timezone=timezone.utc, metadata={'description': 'answered before'})
    client = fields.String(validate=validate.Length(max=64), metadata={'description': 'a client slug'})
    agent_id = Id(metadata={'description': 'the answers attributed to this agent'})
    channel = choice(Channel)
    language = choice(LANGUAGES)

    @validates_schema(skip_on_field_errors=True)
    def _ordered(self, data, **kwargs):
        if 'from_' in data and 'to' in data and data['from_'] >= data['to']:
            raise ValidationError(_l('Must be before "to".'), 'from')


class ResponseListArgs(_Interval):
    rating = fields.Integer(validate=validate.Range(min=1, max=5))
    after = Id(metadata={'description': 'the `next_cursor` of the previous page'})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class ResponsePageSchema(Schema):
    items = fields.List(fields.Nested(CsatResponseSchema), dump_only=True, metadata={'description': 'newest first'})
    next_cursor = fields.Integer(dump_only=True, allow_none=True, metadata={'description': 'pass as `after`'})


class SummaryArgs(_Interval):
    group = fields.String(load_default=None, validate=validate.OneOf(GROUPS, error=_l('Give one of: {choices}.')),
                          metadata={'enum': list(GROUPS), 'description': 'one row per client, agent, channel or '
                                                                         'language (none: one row)'})


class SummaryRowSchema(Schema):
    key = fields.String(dump_only=True, allow_none=True, metadata={
        'description': 'the group: client slug, agent id, channel or language (null: everything)'})
    label = fields.String(dump_only=True, allow_none=True)
    responses = fields.Integer(dump_only=True)
    average = fields.Float(dump_only=True, allow_none=True, metadata={'description': 'mean rating, 1 to 5'})
    satisfied = fields.Integer(dump_only=True, metadata={'description': 'answers rated 4 or 5'})
    satisfied_share = fields.Float(dump_only=True, allow_none=True,
                                   metadata={'description': 'satisfied / responses (0..1): the CSAT score'})


class SummarySchema(Schema):
    group = fields.String(dump_only=True, allow_none=True)
    rows = fields.List(fields.Nested(SummaryRowSchema), dump_only=True)
